"""JSONata 2.0.6 expressions (Step Functions' JSONata query language).

    import awsevents
    expr = awsevents.jsonata("$sum(items.price)")
    expr.evaluate({"items": [{"price": 1}, {"price": 2.5}]})   # 3.5
    expr.evaluate(None)                # input null (JSON null)
    expr.evaluate()                    # no input at all (not null)
    awsevents.jsonata("$x + 1").evaluate(bindings={"x": 41})    # 42

A result that is undefined (JSONata's "no value") comes back as the
`undefined` argument of evaluate (None unless given). Errors raise
JsonataError with JSONata's code ("S0201", "T2001", "D3030", ...), its
message and the character position in the expression.
"""
import ctypes
import json

from . import _lib
from ._handle import Handle, Owned

_NO_INPUT = object()


class JsonataError(Exception):
    """A JSONata error: .code (e.g. "T2001"), .message, .position."""

    def __init__(self, code, message, position):
        super().__init__("%s: %s (position %d)" % (code, message, position))
        self.code = code
        self.message = message
        self.position = position


def _raise_last():
    lib = _lib.lib
    raise JsonataError(lib.aev_errcode().decode(), lib.aev_errmsg().decode(),
                       lib.aev_jsonata_error_position())


class Expression(Owned):
    """A compiled expression; evaluate() may be called from any thread."""

    def __init__(self, text, max_depth=None, timeout_ms=None, max_string=None):
        raw = text.encode("utf-8")
        handle = ctypes.c_void_p()
        if _lib.lib.aev_jsonata_compile(raw, len(raw), ctypes.byref(handle)):
            _raise_last()
        # Closing waits for evaluations in flight on other threads.
        self._handle = Handle(handle, _lib.lib.aev_jsonata_free, "Expression")
        if max_depth is not None or timeout_ms is not None:
            if _lib.lib.aev_jsonata_set_limits(
                    handle,
                    1000 if max_depth is None else _lib.integer(
                        max_depth, "max_depth"),
                    0 if timeout_ms is None else _lib.integer(
                        timeout_ms, "timeout_ms", ctype=ctypes.c_int64)):
                _raise_last()
        # The longest string (in UTF-8 bytes) an evaluation may build.
        if max_string is not None and _lib.lib.aev_jsonata_set_max_string(
                handle, _lib.integer(max_string, "max_string",
                                     ctype=ctypes.c_size_t)):
            _raise_last()

    def evaluate(self, data=_NO_INPUT, bindings=None, undefined=None):
        """Evaluates against data (any JSON value; omit it for no input)
        with variables from bindings (names without $)."""
        lib = _lib.lib
        text = None if data is _NO_INPUT else json.dumps(data).encode()
        bound = None if bindings is None else json.dumps(bindings).encode()
        out = ctypes.c_void_p()
        with self._handle as handle:
            if lib.aev_jsonata_evaluate(handle, text, bound,
                                        ctypes.byref(out)):
                _raise_last()
        if not out.value:
            return undefined
        try:
            return json.loads(ctypes.string_at(out.value).decode())
        finally:
            lib.aev_free(out)


def jsonata(text, max_depth=None, timeout_ms=None, max_string=None):
    """Compiles a JSONata expression."""
    return Expression(text, max_depth=max_depth, timeout_ms=timeout_ms,
                      max_string=max_string)
