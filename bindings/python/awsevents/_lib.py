"""Loads libawsevents with ctypes and declares every function it uses.

The library is found through, in order: the AWSEVENTS_LIB environment
variable (a path; nothing else is tried when it is set), the build
directory of the source tree this package sits in
(build/lib/libawsevents.so.0), then the system's libawsevents.so.0.
"""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_int, c_int64, c_uint64,
                    c_void_p)

SONAME = "libawsevents.so.0"

# void (*aev_log_fn)(void *user, int level, const char *message)
LOG_FN = CFUNCTYPE(None, c_void_p, c_int, c_char_p)
# void (*aev_release_fn)(void *user)
RELEASE_FN = CFUNCTYPE(None, c_void_p)

_opaque = c_void_p
_out_opaque = POINTER(c_void_p)

# name: (restype, argtypes) -- the one table of the C signatures used here.
SIGNATURES = {
    "aev_strerror": (c_char_p, [c_int]),
    "aev_errcode": (c_char_p, []),
    "aev_errmsg": (c_char_p, []),
    "aev_free": (None, [c_void_p]),
    "aev_version_number": (c_int, []),
    "aev_version_string": (c_char_p, []),
    "aev_broker_options_new": (c_int, [_out_opaque]),
    "aev_broker_options_free": (None, [_opaque]),
    "aev_broker_options_set_region": (c_int, [_opaque, c_char_p]),
    "aev_broker_options_set_account": (c_int, [_opaque, c_char_p]),
    "aev_broker_options_set_clock": (c_int, [_opaque, c_int]),
    "aev_broker_options_set_start_time_ms": (c_int, [_opaque, c_int64]),
    "aev_broker_options_set_workers": (c_int, [_opaque, c_int]),
    "aev_broker_options_set_seed": (c_int, [_opaque, c_uint64]),
    "aev_broker_options_set_log": (c_int, [_opaque, LOG_FN, c_int, c_void_p,
                                           RELEASE_FN]),
    "aev_broker_new": (c_int, [_opaque, _out_opaque]),
    "aev_broker_destroy": (c_int, [_opaque]),
    "aev_broker_region": (c_char_p, [_opaque]),
    "aev_broker_account": (c_char_p, [_opaque]),
    "aev_broker_clock_mode": (c_int, [_opaque]),
    "aev_broker_now_ms": (c_int64, [_opaque]),
    "aev_broker_advance": (c_int, [_opaque, c_int64]),
    "aev_broker_drain": (c_int, [_opaque]),
    "aev_broker_next_deadline": (c_int, [_opaque, POINTER(c_int64)]),
    "aev_call": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                         _out_opaque]),
    # jsonata
    "aev_jsonata_compile": (c_int, [c_char_p, ctypes.c_size_t, _out_opaque]),
    "aev_jsonata_free": (None, [_opaque]),
    "aev_jsonata_set_limits": (c_int, [_opaque, c_int, c_int64]),
    "aev_jsonata_evaluate": (c_int, [_opaque, c_char_p, c_char_p,
                                     _out_opaque]),
    "aev_jsonata_error_position": (c_int, []),
}


def _candidates():
    explicit = os.environ.get("AWSEVENTS_LIB")
    if explicit:
        return [explicit]
    package_dir = os.path.dirname(os.path.abspath(__file__))
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(
        package_dir)))
    return [os.path.join(source_root, "build", "lib", SONAME), SONAME]


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
            continue
        for name, (restype, argtypes) in SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        return lib
    raise ImportError("libawsevents not found (set AWSEVENTS_LIB to its "
                      "path): " + "; ".join(errors))


lib = _load()
