"""Lambda-style functions whose handler is a Python callable, written the
way Lambda handlers are written:

    def handler(event, context):
        return {"ok": True}

    fn = create_function(broker, "orders", handler, Timeout=10)
    broker.call("lambda", "Invoke", FunctionName="orders", Payload="{}")

An exception raised by the handler becomes Lambda's function error
(errorMessage, errorType, requestId, stackTrace), reported with
FunctionError "Unhandled" exactly as Lambda reports it; sys.exit() or a
KeyboardInterrupt in the handler is Lambda's Runtime.ExitError, and a result
json cannot encode its Runtime.MarshalError. As Lambda's Python runtime
does, a result of bytes is the payload as it is, and a Decimal (boto3's
DynamoDB numbers) is written as its own digits. register_handler()
names a callable for CreateFunction requests made through Broker.call
(their Handler member). Queues are mapped with
broker.call("lambda", "CreateEventSourceMapping", ...).
"""
import base64
import decimal
import functools
import itertools
import json
import math
import traceback
import uuid
from ctypes import byref, c_size_t, c_void_p, create_string_buffer, string_at

from . import _lib
from ._handle import Handle, Owned
from .errors import library_error

lib = _lib.lib

# Handler trampolines by the key passed as `user`, alive until the library
# calls release (after the function's, or the broker's, end).
_handlers = {}
_keys = itertools.count(1)


def _release(user):
    _handlers.pop(user, None)


_release_fn = _lib.RELEASE_FN(_release)

# Lambda's errors carry its HTTP statuses (404, 409, 429), as from call().
_library_error = functools.partial(library_error, "lambda")


class Context:
    """Lambda's context object; valid while the invocation runs."""

    def __init__(self, ctx):
        self._ctx = ctx
        self._streamed = False
        self.function_name = lib.aev_invocation_function_name(ctx).decode()
        self.function_version = lib.aev_invocation_function_version(ctx).decode()
        self.invoked_function_arn = lib.aev_invocation_function_arn(ctx).decode()
        self.memory_limit_in_mb = lib.aev_invocation_memory_mb(ctx)
        self.aws_request_id = lib.aev_invocation_request_id(ctx).decode()
        self.log_group_name = lib.aev_invocation_log_group(ctx).decode()
        self.log_stream_name = lib.aev_invocation_log_stream(ctx).decode()

    def get_remaining_time_in_millis(self):
        """Milliseconds before the timeout, on the broker clock."""
        return lib.aev_invocation_remaining_ms(self._ctx)

    def stream_write(self, data):
        """Sends data (bytes, or str as UTF-8) as one chunk of the
        response before the handler returns, as a Node.js handler under
        awslambda.streamifyResponse() writes to its responseStream: an
        InvokeWithResponseStream caller receives each as one PayloadChunk,
        in order; other callers receive the chunks joined. A handler that
        streamed and returns None sends nothing more; any other result is
        the last chunk. Raises ClientError once the invocation has ended
        (InvalidStateException) or when the response would outgrow its
        limit (Function.ResponseSizeTooLarge, which also ends it)."""
        if isinstance(data, str):
            data = data.encode()
        self._streamed = True
        if lib.aev_invocation_stream_write(self._ctx, data, len(data)) != 0:
            raise _library_error("InvokeWithResponseStream")

    def env(self, name):
        """The function's environment variable name, or None."""
        v = lib.aev_invocation_env(self._ctx, name.encode())
        return v.decode() if v is not None else None


def _error_object(exc, request_id):
    # Lambda's runtime leaves its own frames out of stackTrace, which starts
    # at the handler: the first frame here is the trampoline below.
    tb = traceback.extract_tb(exc.__traceback__.tb_next)
    return {"errorMessage": str(exc), "errorType": type(exc).__name__,
            "requestId": request_id,
            "stackTrace": traceback.format_list(tb)}


def _exit_error(exc, request_id):
    """What Lambda answers when the handler ends the runtime's process
    (sys.exit(), an uncaught KeyboardInterrupt): Runtime.ExitError with
    the process's exit status or signal, no stackTrace."""
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None or code == 0:
            reason = "Runtime exited without providing a reason"
        else:
            # Python exits with status 1 when the code is not a number.
            status = code if isinstance(code, int) else 1
            reason = "Runtime exited with error: exit status %d" % status
    else:
        # Python ends on an uncaught KeyboardInterrupt by SIGINT.
        reason = "Runtime exited with error: signal: interrupt"
    return {"errorType": "Runtime.ExitError",
            "errorMessage": "RequestId: %s Error: %s" % (request_id, reason)}


def _marshal_error(exc, request_id):
    """Lambda's Python runtime's answer for a result json cannot encode."""
    return {"errorMessage": "Unable to marshal response: %s" % exc,
            "errorType": "Runtime.MarshalError", "requestId": request_id,
            "stackTrace": []}


def _fail(ctx, error):
    text = json.dumps(error).encode()
    lib.aev_invocation_fail_json(ctx, text, len(text))


def _result_payload(result):
    """The payload Lambda's Python runtime (awslambdaric's marshaller)
    makes of a handler's result: bytes as they are, anything else as JSON
    with each Decimal written as its own digits (NaN as NaN), as the items
    boto3 reads from DynamoDB hold their numbers."""
    if isinstance(result, bytes):
        return result
    # json writes no raw text: each Decimal stands as a string marked with
    # a fresh random token until the text is done.
    token, digits = uuid.uuid4().hex, []

    def decimal_digits(obj):
        if not isinstance(obj, decimal.Decimal):
            raise TypeError("Object of type %s is not JSON serializable"
                            % type(obj).__name__)
        if obj.is_nan():
            return math.nan
        digits.append(str(obj))
        return "%s%d" % (token, len(digits) - 1)

    text = json.dumps(result, default=decimal_digits)
    for i, d in enumerate(digits):
        text = text.replace('"%s%d"' % (token, i), d, 1)
    return text.encode()


def _thunk(handler):
    def call(user, ctx, event, length):
        context = Context(ctx)
        request_id = context.aws_request_id
        try:
            result = handler(json.loads(string_at(event, length).decode()),
                             context)
        except Exception as exc:  # every handler error becomes Lambda's
            _fail(ctx, _error_object(exc, request_id))
            return
        except BaseException as exc:  # SystemExit, KeyboardInterrupt
            _fail(ctx, _exit_error(exc, request_id))
            return
        if result is None and context._streamed:
            lib.aev_invocation_succeed(ctx, None, 0)
            return
        try:
            text = _result_payload(result)
        except Exception as exc:
            _fail(ctx, _marshal_error(exc, request_id))
            return
        lib.aev_invocation_succeed(ctx, text, len(text))
    return _lib.HANDLER_FN(call)


class Function(Owned):
    """A handle to a function of a broker (see create_function); close()
    (or release()) drops it once the calls in flight on it are done."""

    def __init__(self, broker, handle):
        self._broker = broker
        self._handle = Handle(handle, lib.aev_function_release, "Function",
                               "released")

    def _call(self, operation, fn, *args):
        with self._handle as f:
            if fn(f, *args) != 0:
                raise _library_error(operation)

    def _json_call(self, operation, fn, *args):
        out = c_void_p()
        self._call(operation, fn, *args, byref(out))
        try:
            return json.loads(string_at(out.value).decode())
        finally:
            lib.aev_free(out)

    @property
    def name(self):
        with self._handle as f:
            return lib.aev_function_name(f).decode()

    @property
    def arn(self):
        with self._handle as f:
            return lib.aev_function_arn(f).decode()

    def invoke(self, event, qualifier=None):
        """RequestResponse of $LATEST, a version or an alias: (result,
        function_error, executed_version) with result decoded from JSON (the
        bytes themselves when a handler's result is not JSON) and
        function_error None or "Unhandled"."""
        payload = json.dumps(event).encode()
        out = c_void_p()
        n = c_size_t()
        ferr = _lib.c_char_p()
        version = create_string_buffer(16)
        with self._broker._entered():
            self._call("Invoke", lib.aev_function_invoke_qualified,
                       qualifier.encode() if qualifier else None, payload,
                       len(payload), byref(out), byref(n), byref(ferr),
                       version)
        try:
            raw = string_at(out.value, n.value)
        finally:
            lib.aev_free(out)
        try:
            result = json.loads(raw.decode())
        except ValueError:  # also UnicodeDecodeError
            result = raw
        return (result, ferr.value.decode() if ferr.value else None,
                version.value.decode())

    def metrics(self):
        """Invocations, Errors, Throttles, ColdStarts, ... as a dict."""
        return self._json_call("GetMetrics", lib.aev_function_metrics)

    def update_code(self, **request):
        """UpdateFunctionCode with its members (ZipFile as bytes, as boto3
        takes it, or S3Bucket and S3Key naming the file ./S3Bucket/S3Key,
        or ImageUri; Publish, DryRun, RevisionId, Architectures). The
        handler stays bound; returns the new configuration as a dict."""
        if isinstance(request.get("ZipFile"), (bytes, bytearray)):
            request["ZipFile"] = base64.b64encode(request["ZipFile"]).decode()
        return self._json_call("UpdateFunctionCode",
                               lib.aev_function_update_code,
                               json.dumps(request).encode())

    def put_provisioned_concurrency(self, qualifier, n):
        """PutProvisionedConcurrencyConfig: n environments of a published
        version or alias initialised ahead (READY 60 s later on the broker
        clock). Without reserved concurrency they come out of the account's
        unreserved pool, which must keep 100."""
        self._call("PutProvisionedConcurrencyConfig",
                   lib.aev_function_put_provisioned_concurrency,
                   qualifier.encode(), _lib.integer(n, "n"))

    def provisioned_concurrency(self, qualifier):
        """GetProvisionedConcurrencyConfig's response as a dict."""
        return self._json_call("GetProvisionedConcurrencyConfig",
                               lib.aev_function_provisioned_concurrency,
                               qualifier.encode())

    def delete_provisioned_concurrency(self, qualifier):
        """DeleteProvisionedConcurrencyConfig."""
        self._call("DeleteProvisionedConcurrencyConfig",
                   lib.aev_function_delete_provisioned_concurrency,
                   qualifier.encode())

    def release(self):
        """close() by the name this class first had for it."""
        self.close()


def create_function(broker, name, handler, **config):
    """Creates function name running handler(event, context), with
    CreateFunction's configuration members (Timeout, MemorySize,
    Environment, ...). Returns a Function."""
    name = _lib.string(name, "name")
    key = next(_keys)
    _handlers[key] = _thunk(_lib.callback(handler, "handler(event, context)"))
    out = c_void_p()
    text = json.dumps(config).encode()
    with broker._entered() as handle:
        rc = lib.aev_function_create(handle, name.encode(), text,
                                     _handlers[key], key, _release_fn,
                                     byref(out))
        if rc != 0:
            _handlers.pop(key, None)  # a failed registration never releases
            raise _library_error("CreateFunction")
    return Function(broker, out)


def set_account_concurrency(broker, limit):
    """Raises (or lowers) the account's concurrency limit for every function
    of broker: AWS's default is 1,000 concurrent executions."""
    with broker._entered() as handle:
        if lib.aev_function_set_account_concurrency(
                handle, _lib.integer(limit, "limit")) != 0:
            raise _library_error("SetAccountConcurrency")


def register_handler(broker, name, handler):
    """Names handler for CreateFunction requests made with Broker.call:
    broker.call("lambda", "CreateFunction", FunctionName=..., Handler=name)."""
    name = _lib.string(name, "name")
    key = next(_keys)
    _handlers[key] = _thunk(_lib.callback(handler, "handler(event, context)"))
    with broker._entered() as handle:
        rc = lib.aev_handler_register(handle, name.encode(), _handlers[key],
                                      key, _release_fn)
        if rc != 0:
            _handlers.pop(key, None)
            raise _library_error("RegisterHandler")
