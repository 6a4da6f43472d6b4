"""HTTP endpoints as Python callables (ctypes): there is no network in a
Broker, so a callable stands for the endpoints whose URLs start with a
prefix (the longest registered prefix wins). EventBridge API destinations,
their OAuth token endpoints, Step Functions HTTP Tasks and SNS http/https
subscriptions send their requests to it:

    def orders(request):          # an HttpRequest
        return 201, "created"     # status, (status, body) or
                                  # (status, body, headers)

    broker.register_endpoint("https://api.example.com/", orders)

A callable that raises answers 500, a server error EventBridge and SNS
retry. A URL no callable stands for cannot be reached (retried, as a
network error is for AWS)."""
import json
from ctypes import byref, c_size_t, string_at

from . import _lib
from .broker import _callbacks, _keys, _release_fn
from .errors import library_error

lib = _lib.lib


class HttpRequest:
    """One request: method, url (query string included), headers (a dict)
    and body (text)."""

    __slots__ = ("method", "url", "headers", "body")

    def __init__(self, method, url, headers, body):
        self.method, self.url, self.headers, self.body = method, url, headers, body

    def __repr__(self):
        return "HttpRequest(%r, %r)" % (self.method, self.url)


def _read(req):
    n = c_size_t()
    body = lib.aev_http_request_body(req, byref(n))
    return HttpRequest(lib.aev_http_request_method(req).decode(),
                       lib.aev_http_request_url(req).decode(),
                       json.loads(lib.aev_http_request_headers(req)),
                       string_at(body, n.value).decode("utf-8", "replace"))


def _answer(result):
    """A callable's result as (status, body bytes, headers dict)."""
    if not isinstance(result, tuple):
        result = (result,)
    status, body, headers = (tuple(result) + ("", {}))[:3]
    if body is None:
        body = ""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return int(status), body, dict(headers or {})


def _thunk(fn):
    def call(user, req):
        try:
            status, body, headers = _answer(fn(_read(req)))
        except BaseException as e:  # the endpoint failed: a server error
            status, body = 500, ("%s: %s" % (type(e).__name__, e)).encode()
            headers = {}
        for name, value in headers.items():
            lib.aev_http_request_set_response_header(req, str(name).encode(),
                                                     str(value).encode())
        if lib.aev_http_request_respond(req, status, body, len(body)) != 0:
            msg = b"invalid status %d" % status
            lib.aev_http_request_respond(req, 500, msg, len(msg))
    return _lib.ENDPOINT_FN(call)


def register_endpoint(broker, url_prefix, fn):
    """Registers fn(request) -> status | (status, body) | (status, body,
    headers) for URLs starting with url_prefix, replacing the callable
    registered for that prefix. body may be text, bytes, or a dict/list sent
    as JSON (an OAuth token endpoint answers {"access_token": ...});
    headers a dict (EventBridge reads Retry-After)."""
    url_prefix = _lib.string(url_prefix, "url_prefix")
    fn = _lib.callback(fn, "an endpoint fn(request)")
    key = next(_keys)
    _callbacks[key] = _thunk(fn)
    with broker._entered() as handle:
        rc = lib.aev_endpoint_register(handle, url_prefix.encode(),
                                       _callbacks[key], key, _release_fn)
    if rc != 0:
        # A failed registration never calls release.
        _callbacks.pop(key, None)
        raise library_error(None, "RegisterEndpoint")


def remove_endpoint(broker, url_prefix):
    """Removes the callable registered for exactly url_prefix."""
    url_prefix = _lib.string(url_prefix, "url_prefix")
    broker._run("RemoveEndpoint", lib.aev_endpoint_remove, url_prefix.encode())
