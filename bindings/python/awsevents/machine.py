"""Step Functions state machines over the typed C API (ctypes): Machine and
Execution.

    m = broker.create_state_machine("orders", definition)   # ASL: dict or str
    m = broker.create_state_machine("paid", definition,
                                    role_arn="arn:aws:iam::123456789012:role/sfn")
    e = m.start({"id": 1})
    e.wait()                      # manual clock: jumps over Waits
    e.status, e.output, e.history

Errors raise ClientError with Step Functions' codes (InvalidDefinition,
StateMachineDoesNotExist, ExecutionAlreadyExists, ...).
"""
import json
from ctypes import byref, c_int64, c_void_p, string_at

from . import _lib
from ._handle import Handle, Owned
from .errors import ClientError, checker

lib = _lib.lib

_TYPES = {"STANDARD": 0, "EXPRESS": 1}
_STATUS = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


_check = checker("states")


def _json_text(value):
    """ASL definitions and inputs may be given as JSON text or as values."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


def _take_json(out):
    if not out.value:
        return None
    try:
        return json.loads(string_at(out.value).decode())
    finally:
        lib.aev_free(out)


def _type_of(type):
    if type not in _TYPES:
        raise ValueError("type must be STANDARD or EXPRESS")
    return _TYPES[type]


def validate_definition(definition, type="STANDARD"):
    """ValidateStateMachineDefinition: {"result", "diagnostics", ...}."""
    text = _json_text(definition)
    out = c_void_p()
    _check(lib.aev_machine_validate(text, len(text), _type_of(type),
                                    byref(out)),
           "ValidateStateMachineDefinition")
    return _take_json(out)


def _open(cls, broker, operation, fn, *args):
    """A new cls around the handle fn(broker, *args, &out) returns."""
    return cls(broker._out(_check, operation, fn, *args))


class Machine(Owned):
    """A state machine of a Broker (Broker.create_state_machine /
    Broker.get_state_machine). The handle keeps the library's machine (and
    broker) alive until close() or garbage collection."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.aev_machine_release, "Machine")
        with self._handle as m:
            self.name = lib.aev_machine_name(m).decode()
            self.arn = lib.aev_machine_arn(m).decode()

    def __repr__(self):
        return "Machine(%r)" % self.arn

    def start(self, input=None, name=None):
        """StartExecution: an Execution. input is JSON text or a value."""
        text = _json_text({} if input is None else input)
        out = c_void_p()
        with self._handle as m:
            _check(lib.aev_machine_start(m, name.encode() if name else None,
                                         text, len(text), byref(out)),
                   "StartExecution")
        return Execution(out)

    def start_sync(self, input=None, name=None):
        """StartSyncExecution (EXPRESS machines): the response dict, with
        "output" as JSON text as AWS returns it."""
        text = _json_text({} if input is None else input)
        out = c_void_p()
        with self._handle as m:
            _check(lib.aev_machine_start_sync(
                m, name.encode() if name else None, text, len(text),
                byref(out)), "StartSyncExecution")
        return _take_json(out)

    def describe(self):
        out = c_void_p()
        with self._handle as m:
            _check(lib.aev_machine_describe(m, byref(out)),
                   "DescribeStateMachine")
        return _take_json(out)

    def update(self, definition):
        text = _json_text(definition)
        with self._handle as m:
            _check(lib.aev_machine_update(m, text, len(text)),
                   "UpdateStateMachine")

    def delete(self):
        with self._handle as m:
            _check(lib.aev_machine_delete(m), "DeleteStateMachine")

    def set_retention(self, ms):
        """How long finished executions are kept (milliseconds of the
        broker clock; AWS's 90 days by default)."""
        with self._handle as m:
            _check(lib.aev_machine_set_retention(
                m, _lib.integer(ms, "ms", "milliseconds", c_int64)),
                "SetRetention")


class Execution(Owned):
    """One execution of a Machine: .status, .output, .error, .cause and
    .history read the library's current state each time."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.aev_execution_release, "Execution")
        with self._handle as e:
            self.arn = lib.aev_execution_arn(e).decode()

    def __repr__(self):
        return "Execution(%r)" % self.arn

    def describe(self):
        """DescribeExecution's response dict."""
        out = c_void_p()
        with self._handle as e:
            _check(lib.aev_execution_describe(e, byref(out)),
                   "DescribeExecution")
        return _take_json(out)

    @property
    def status(self):
        with self._handle as e:
            return _STATUS[lib.aev_execution_status(e)]

    @property
    def output(self):
        """The output as a value (None unless SUCCEEDED)."""
        text = self.describe().get("output")
        return None if text is None else json.loads(text)

    @property
    def error(self):
        return self.describe().get("error")

    @property
    def cause(self):
        return self.describe().get("cause")

    @property
    def history(self):
        """GetExecutionHistory's events (STANDARD executions)."""
        out = c_void_p()
        with self._handle as e:
            _check(lib.aev_execution_history(e, byref(out)),
                   "GetExecutionHistory")
        return _take_json(out)["events"]

    def wait(self):
        """Runs the broker until the execution ends (manual clock: drains
        and jumps over timers; real clock without workers: drains between
        timers) and returns its status."""
        with self._handle as e:
            _check(lib.aev_execution_wait(e), "WaitExecution")
        return self.status

    def stop(self, error=None, cause=None):
        with self._handle as e:
            _check(lib.aev_execution_stop(
                e, error.encode() if error else None,
                cause.encode() if cause else None), "StopExecution")

    def redrive(self, client_token=None):
        """RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution runs
        again from the states it did not leave (status RUNNING at once).
        Returns the redrive's date in epoch milliseconds."""
        at = c_int64()
        with self._handle as e:
            _check(lib.aev_execution_redrive(
                e, client_token.encode() if client_token else None, byref(at)),
                "RedriveExecution")
        return at.value


class Activity(Owned):
    """A Step Functions activity (Broker.create_activity): Task states whose
    Resource is its arn queue work for get_task; the worker ends each task
    with Broker.send_task_success / send_task_failure (and
    send_task_heartbeat) with the task's token."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.aev_activity_release, "Activity")
        with self._handle as a:
            self.arn = lib.aev_activity_arn(a).decode()
        self.name = self.arn.rsplit(":", 1)[1]

    def __repr__(self):
        return "Activity(%r)" % self.arn

    def describe(self):
        out = c_void_p()
        with self._handle as a:
            _check(lib.aev_activity_describe(a, byref(out)), "DescribeActivity")
        return _take_json(out)

    def get_task(self, worker_name=None, wait_seconds=60):
        """GetActivityTask: (token, input value), or None when no task came
        within wait_seconds (a real clock's long poll; the manual clock
        answers at once)."""
        token, text = c_void_p(), c_void_p()
        with self._handle as a:
            _check(lib.aev_activity_get_task(
                a, worker_name.encode() if worker_name else None,
                int(wait_seconds * 1000), byref(token), byref(text)),
                "GetActivityTask")
        if not token.value:
            return None
        try:
            return (string_at(token.value).decode(),
                    json.loads(string_at(text.value).decode()))
        finally:
            lib.aev_free(token)
            lib.aev_free(text)

    def delete(self):
        with self._handle as a:
            _check(lib.aev_activity_delete(a), "DeleteActivity")


def create_activity(broker, name):
    name = _lib.string(name, "name")
    return _open(Activity, broker, "CreateActivity", lib.aev_activity_create,
                          name.encode())


def get_activity(broker, name_or_arn):
    name_or_arn = _lib.string(name_or_arn, "name_or_arn")
    return _open(Activity, broker, "DescribeActivity", lib.aev_activity_get,
                          name_or_arn.encode())


def create_state_machine(broker, name, definition, type="STANDARD",
                         role_arn=None):
    name = _lib.string(name, "name")
    role = (None if role_arn is None
            else _lib.string(role_arn, "role_arn").encode())
    text = _json_text(definition)
    return _open(Machine, broker, "CreateStateMachine",
                 lib.aev_machine_create_with, name.encode(), text, len(text),
                 _type_of(type), role)


def get_state_machine(broker, name_or_arn):
    name_or_arn = _lib.string(name_or_arn, "name_or_arn")
    return _open(Machine, broker, "DescribeStateMachine", lib.aev_machine_get,
                         name_or_arn.encode())


def _text(value):
    return _json_text(value).decode()


def test_state(broker, definition, input=None, variables=None, context=None,
               mock=None, **request):
    """TestState: runs one state on its own, as AWS's TestState does.
    definition, input, variables, context and mock["result"] may be JSON
    text or values; the other members (inspectionLevel, roleArn,
    stateName, stateConfiguration, ...) are AWS's. Answers AWS's response
    dict: status, output (JSON text), error, cause, nextState and, above
    INFO, inspectionData."""
    request["definition"] = _text(definition)
    for key, value in (("input", input), ("variables", variables),
                       ("context", context)):
        if value is not None:
            request[key] = _text(value)
    if mock is not None:
        mock = dict(mock)
        if "result" in mock:
            mock["result"] = _text(mock["result"])
        request["mock"] = mock
    return _take_json(broker._out(_check, "TestState",
                                  lib.aev_machine_test_state,
                                  json.dumps(request).encode()))


def send_task_success(broker, token, output):
    text = _json_text(output)
    broker._run("SendTaskSuccess", lib.aev_machine_send_task_success,
                token.encode(), text, len(text))


def send_task_failure(broker, token, error=None, cause=None):
    broker._run("SendTaskFailure", lib.aev_machine_send_task_failure,
                token.encode(), error.encode() if error else None,
                cause.encode() if cause else None)


def send_task_heartbeat(broker, token):
    broker._run("SendTaskHeartbeat", lib.aev_machine_send_task_heartbeat,
                token.encode())


__all__ = ["Machine", "Execution", "Activity", "validate_definition", "ClientError"]
