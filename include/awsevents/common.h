/*
 * libawsevents — common definitions: version, export macro, status codes,
 * the per-thread error code/message of the last failed call, and aev_free.
 *
 * Every fallible function returns an int: AEV_OK (0) or one of the AEV_ERR_*
 * categories below. The exact AWS error name for the failure (for example
 * "QueueDoesNotExist" or "InvalidParameterValue") and a message worded like
 * AWS's are then available from aev_errcode() and aev_errmsg() on the same
 * thread until its next failing call.
 */
#ifndef AWSEVENTS_COMMON_H
#define AWSEVENTS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AEV_VERSION_MAJOR 0
#define AEV_VERSION_MINOR 1
#define AEV_VERSION_PATCH 0
/* X*1000000 + Y*1000 + Z, comparable with aev_version_number(). */
#define AEV_VERSION_NUMBER \
  (AEV_VERSION_MAJOR * 1000000 + AEV_VERSION_MINOR * 1000 + AEV_VERSION_PATCH)

#if defined(_WIN32)
#define AEV_API
#elif defined(AEV_BUILDING_LIBRARY)
#define AEV_API __attribute__((visibility("default")))
#else
#define AEV_API
#endif

/* Status categories. The AWS error name of a failure is aev_errcode(). */
enum {
  AEV_OK = 0,
  AEV_ERR_INVALID = 1,     /* bad input: a parameter, a value, a shape */
  AEV_ERR_NOT_FOUND = 2,   /* no such resource (or it was deleted) */
  AEV_ERR_EXISTS = 3,      /* a resource of that name exists, differently */
  AEV_ERR_LIMIT = 4,       /* a hard limit or a quota would be exceeded */
  AEV_ERR_THROTTLED = 5,   /* a rate or concurrency limit refused the call */
  AEV_ERR_BUSY = 6,        /* not allowed now (e.g. advance from a callback) */
  AEV_ERR_NOMEM = 7,       /* out of memory */
  AEV_ERR_STATE = 8,       /* the resource is in a state that forbids this */
  AEV_ERR_UNSUPPORTED = 9, /* an operation or feature this library lacks */
  AEV_ERR_CLOSED = 10,     /* the broker has been destroyed */
  AEV_ERR_INTERNAL = 11    /* a bug: please report it */
};

/* A short English name for a status category ("invalid argument", ...).
 * The string is static. Unknown values give "unknown status". */
AEV_API const char *aev_strerror(int status);

/* The AWS error name of the last call that failed on this thread, such as
 * "QueueDoesNotExist"; "" if none has failed. Valid until the next failing
 * call on this thread. */
AEV_API const char *aev_errcode(void);

/* The message of the last call that failed on this thread, worded like
 * AWS's; "" if none has failed. Valid until the next failing call. */
AEV_API const char *aev_errmsg(void);

/* Frees a string or buffer the library returned to the caller. NULL is a
 * no-op. */
AEV_API void aev_free(void *p);

/* AEV_VERSION_NUMBER of the library actually loaded. */
AEV_API int aev_version_number(void);

/* "MAJOR.MINOR.PATCH" of the library actually loaded (static string). */
AEV_API const char *aev_version_string(void);

/* A callback's companion: called exactly once, after the last call of the
 * callback it was registered with, never when the registration failed. */
typedef void (*aev_release_fn)(void *user);

#ifdef __cplusplus
}
#endif
#endif
