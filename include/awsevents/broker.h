/*
 * libawsevents — the broker: one AWS region and account inside this process.
 *
 * A broker owns every resource created in it (queues, topics, ...), the
 * clock they all read, and the scheduler that runs their timers and
 * deliveries. Two brokers share nothing.
 *
 * Clock modes:
 *   AEV_CLOCK_REAL    wall-clock timestamps; timers fire by themselves on a
 *                     timer thread when workers > 0. Timers for wall-clock
 *                     instants (schedules, scheduled rules, replays) follow
 *                     the system clock when it is set: at once with
 *                     workers, else at the next aev_broker_drain().
 *   AEV_CLOCK_MANUAL  virtual time that starts at a fixed instant (default
 *                     2024-01-01T00:00:00Z) and moves only through
 *                     aev_broker_advance(). Blocking calls never block.
 *
 * With workers = 0 nothing runs by itself: ready work and due timers run on
 * the thread that calls aev_broker_drain() or aev_broker_advance(). With a
 * seed as well, ids, receipt handles and retry jitter are reproducible, so
 * two runs of the same program print byte-identical output.
 */
#ifndef AWSEVENTS_BROKER_H
#define AWSEVENTS_BROKER_H

#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_broker aev_broker;
typedef struct aev_broker_options aev_broker_options;

#define AEV_CLOCK_REAL 0
#define AEV_CLOCK_MANUAL 1

/* 2024-01-01T00:00:00Z in epoch milliseconds: where a manual clock starts
 * unless aev_broker_options_set_start_time_ms() says otherwise. */
#define AEV_MANUAL_CLOCK_DEFAULT_START_MS 1704067200000LL

/* Log levels passed to a log callback. */
#define AEV_LOG_ERROR 0
#define AEV_LOG_WARN 1
#define AEV_LOG_INFO 2
#define AEV_LOG_DEBUG 3

/* A log callback: level is AEV_LOG_*, message a NUL-terminated line without
 * a trailing newline, valid only during the call. Never called with a
 * library lock held. */
typedef void (*aev_log_fn)(void *user, int level, const char *message);

/* Creates an options object holding the defaults: region "us-east-1",
 * account "000000000000", real clock, manual start 2024-01-01T00:00:00Z,
 * 2 workers, a seed drawn from getrandom(), no log callback. Free it with
 * aev_broker_options_free(); a broker does not keep a reference to it.
 * This and every setter below answer AEV_ERR_INVALID ("Missing argument.")
 * for a NULL out-pointer or options object; a setter that fails changes
 * nothing and never calls the release it was given. */
AEV_API int aev_broker_options_new(aev_broker_options **out);

/* Frees an options object. NULL is a no-op. If a log callback with a release
 * function was set and never handed to a broker, release is called here. */
AEV_API void aev_broker_options_free(aev_broker_options *opts);

/* Region name such as "eu-west-1": lower-case letters, digits and dashes,
 * 1..32 characters. AEV_ERR_INVALID otherwise. */
AEV_API int aev_broker_options_set_region(aev_broker_options *opts,
                                          const char *region);

/* The 12-digit AWS account id. AEV_ERR_INVALID otherwise. */
AEV_API int aev_broker_options_set_account(aev_broker_options *opts,
                                           const char *account);

/* AEV_CLOCK_REAL or AEV_CLOCK_MANUAL. */
AEV_API int aev_broker_options_set_clock(aev_broker_options *opts, int mode);

/* Where a manual clock starts, in epoch milliseconds: 0 to
 * 253402300799999 (9999-12-31T23:59:59.999Z, the last time AWS's
 * timestamps can show; a manual clock never passes it). aev_broker_new()
 * refuses it (AEV_ERR_INVALID) for a real clock, which shows the wall
 * clock. */
AEV_API int aev_broker_options_set_start_time_ms(aev_broker_options *opts,
                                                 int64_t epoch_ms);

/* Worker threads for deliveries and timers, 0..64. 0 means nothing runs
 * unless the caller drains or advances. */
AEV_API int aev_broker_options_set_workers(aev_broker_options *opts,
                                           int workers);

/* Seeds the broker's id generator so ids and jitter are reproducible. */
AEV_API int aev_broker_options_set_seed(aev_broker_options *opts,
                                        uint64_t seed);

/* Sets the log callback and the most verbose level it receives (AEV_LOG_*).
 * The broker created from these options takes over the registration:
 * release(user) is called once, when that broker is destroyed (or by
 * aev_broker_options_free() if no broker was created). Setting another
 * callback releases the previous one. fn may be NULL to log nothing. */
AEV_API int aev_broker_options_set_log(aev_broker_options *opts, aev_log_fn fn,
                                       int max_level, void *user,
                                       aev_release_fn release);

/* Creates a broker. opts may be NULL for the defaults. */
AEV_API int aev_broker_new(aev_broker_options *opts, aev_broker **out);

/* Shuts a broker down: stops accepting work, cancels timers, waits for
 * running handlers to return (their late results are discarded), runs every
 * pending release function, and frees everything that no handle still
 * references. Handles the caller still holds stay safe to call (they answer
 * AEV_ERR_CLOSED) and to release afterwards. NULL is a no-op.
 * Called from inside a library callback it returns AEV_ERR_BUSY. */
AEV_API int aev_broker_destroy(aev_broker *b);

/* The broker's region and account id (valid for the broker's life; NULL
 * for a NULL broker, as every accessor of a handle answers NULL, 0 or -1
 * for a NULL handle rather than crash). */
AEV_API const char *aev_broker_region(const aev_broker *b);
AEV_API const char *aev_broker_account(const aev_broker *b);

/* AEV_CLOCK_REAL or AEV_CLOCK_MANUAL (-1 for a NULL broker). */
AEV_API int aev_broker_clock_mode(const aev_broker *b);

/* "Now" in epoch milliseconds: the wall clock, or the manual clock (0 for
 * a NULL broker). */
AEV_API int64_t aev_broker_now_ms(const aev_broker *b);

/* Manual clock only. Runs all ready work to quiescence (waiting for busy
 * workers), then repeatedly takes the earliest timer due at or before
 * now + ms, sets now to its deadline, fires it and drains again; finally
 * sets now to now + ms. Timers armed inside the window fire too.
 * AEV_ERR_INVALID for a real clock, ms < 0, or a step that would take the
 * clock past 9999-12-31T23:59:59.999Z; AEV_ERR_BUSY from inside a library
 * callback. */
AEV_API int aev_broker_advance(aev_broker *b, int64_t ms);

/* Runs ready work (and, on a real clock, timers already due) to
 * quiescence without moving a manual clock. AEV_ERR_BUSY from inside a
 * library callback. */
AEV_API int aev_broker_drain(aev_broker *b);

/* The earliest pending timer deadline in epoch milliseconds, for a test
 * that wants to jump straight to the next event. AEV_ERR_NOT_FOUND when no
 * timer is pending. */
AEV_API int aev_broker_next_deadline(aev_broker *b, int64_t *out_epoch_ms);

/* One AWS API call with AWS's JSON shapes: service is "sqs", "sns",
 * "kinesis", "firehose", "events", "states" (also "stepfunctions", the name
 * boto3 and the AWS CLI give it) or "lambda"; action is AWS's
 * action name ("SendMessage"); request_json is the request object (NULL or
 * "" means {}). On success *response_json is the response object. On
 * failure the call returns the status category and *response_json is AWS's
 * error shape {"__type": CODE, "message": TEXT} (CODE = aev_errcode()).
 * AEV_ERR_NOMEM may come after the action took effect, when memory ran out
 * serializing its response: as with an AWS response lost on the way back,
 * the caller cannot tell, so retry with the action's own idempotency (a
 * FIFO deduplication id, an execution name, a client token) where it has
 * one. Free *response_json with aev_free(). */
AEV_API int aev_call(aev_broker *b, const char *service, const char *action,
                     const char *request_json, char **response_json);

/* HTTP endpoints as application callbacks. There is no network here: an
 * application stands for an HTTP endpoint by registering a callback for a
 * URL prefix, and every request a service of this broker sends to a URL
 * starting with that prefix (EventBridge API destinations, their OAuth
 * token endpoints, Step Functions HTTP Tasks, SNS http/https subscriptions
 * that have no callback of their own) is handed to the callback. The longest registered
 * prefix that a URL starts with wins; a URL that no callback stands for is
 * an endpoint that cannot be reached (a retryable failure, as a network
 * error is for AWS).
 *
 * The callback runs on the broker's handler pool (on the draining thread
 * with workers = 0) with no library lock held, and answers before it
 * returns with aev_http_request_respond(); one that returns without
 * answering counts as a request that timed out (EventBridge gives an API
 * destination 5 seconds). The request and the strings its accessors return
 * are valid only during the call. */
typedef struct aev_http_request aev_http_request;
typedef void (*aev_endpoint_fn)(void *user, aev_http_request *request);

/* Registers fn for URLs starting with url_prefix ("https://api.example.com/"),
 * replacing the callback registered for that same prefix, if any (whose
 * release then runs after its last call). release(user), when not NULL,
 * runs once after the last call: after aev_endpoint_remove(), a
 * replacement, or the broker's destroy; never when this call fails.
 * Thread-safe. */
AEV_API int aev_endpoint_register(aev_broker *b, const char *url_prefix,
                                  aev_endpoint_fn fn, void *user,
                                  aev_release_fn release);

/* Removes the callback registered for exactly url_prefix: URLs it stood for
 * become unreachable. AEV_ERR_NOT_FOUND when there is none. */
AEV_API int aev_endpoint_remove(aev_broker *b, const char *url_prefix);

/* The request's method ("POST"), full URL (query string included), headers
 * (a JSON object of strings, as text) and body (*len bytes, NUL-terminated
 * past them; len may be NULL). */
AEV_API const char *aev_http_request_method(const aev_http_request *r);
AEV_API const char *aev_http_request_url(const aev_http_request *r);
AEV_API const char *aev_http_request_headers(const aev_http_request *r);
AEV_API const char *aev_http_request_body(const aev_http_request *r, size_t *len);

/* Sets a header of the response to come (before aev_http_request_respond;
 * the value copied). EventBridge reads Retry-After: a number of seconds to
 * wait at least before the next attempt, or a negative one to stop
 * retrying. */
AEV_API int aev_http_request_set_response_header(aev_http_request *r,
                                                 const char *name,
                                                 const char *value);

/* Answers the request with an HTTP status (100-599) and a body (len bytes,
 * copied; NULL and 0 for none). An OAuth token endpoint answers a JSON
 * object with an "access_token". AEV_ERR_INVALID for a status out of range
 * or a second answer; AEV_ERR_NOMEM when the body could not be copied (the
 * status still counts, with an empty body). */
AEV_API int aev_http_request_respond(aev_http_request *r, int status,
                                     const char *body, size_t len);

#ifdef __cplusplus
}
#endif
#endif
