"""The one way the binding shares a C handle among Python threads: queues,
streams, delivery streams, topics, buses, functions, machines, executions,
activities, patterns and jsonata expressions all hold theirs in a Handle."""
import threading

from . import _lib


class Handle:
    """A C handle that calls share: `with handle as ptr:` holds it for one
    call. close() refuses new calls, waits for those in flight on other
    threads and then frees it. A call in flight on the closing thread
    itself (a callback closing what called it) is not waited for, which
    would never end: the last call to return frees the handle instead.

    ptr is the c_void_p a create call gave; kind names the handle in errors
    ("the Queue handle is closed"); closed is the word for a handle let go."""

    def __init__(self, ptr, release, kind, closed="closed"):
        self._ptr = _lib.handle(ptr, kind)
        self._release = release
        self._kind = kind
        self._closed = closed
        self._cond = threading.Condition()
        self._calls = {}       # thread id -> calls in flight on that thread
        self._orphan = None    # what close() left for the last call to free

    def __enter__(self):
        with self._cond:
            if self._ptr is None:
                raise ValueError("the %s handle is %s"
                                 % (self._kind, self._closed))
            me = threading.get_ident()
            self._calls[me] = self._calls.get(me, 0) + 1
            return self._ptr

    def __exit__(self, *exc):
        with self._cond:
            me = threading.get_ident()
            self._calls[me] -= 1
            if not self._calls[me]:
                del self._calls[me]
            self._cond.notify_all()
            orphan = None
            if not self._calls:
                orphan, self._orphan = self._orphan, None
        if orphan is not None:
            self._release(orphan)

    def close(self):
        with self._cond:
            ptr, self._ptr = self._ptr, None
            if ptr is None:
                return
            if threading.get_ident() in self._calls:
                self._orphan = ptr
                return
            while self._calls:
                self._cond.wait()
        self._release(ptr)


class Owned:
    """Owns a Handle in self._handle: close(), the end of a with block or
    garbage collection releases it once the calls in flight on it are
    done."""

    def close(self):
        """Drops this handle (waits for calls in flight on it); later use
        raises ValueError."""
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        handle = getattr(self, "_handle", None)  # unset when __init__ raised
        if handle is not None:
            handle.close()
