/* Internal: what the primitives use of a broker: its clock, scheduler, id
 * generator, registry, log, and the reference count that handles hold. */
#ifndef AEV_CORE_BROKER_H
#define AEV_CORE_BROKER_H

#include <stdint.h>

#include "awsevents/broker.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/sched.h"

void aev__broker_ref(aev_broker *b);
void aev__broker_unref(aev_broker *b);

/* AEV_OK, or AEV_ERR_CLOSED (with an error recorded) once destroy began. */
int aev__broker_check_open(aev_broker *b);

aev__clock *aev__broker_clock(aev_broker *b);
aev__sched *aev__broker_sched(aev_broker *b);

/* Draws from the broker's seeded generator (thread-safe): a UUID, and a
 * token of len hex digits (aev__token_hex()). */
void aev__broker_uuid(aev_broker *b, char out[AEV_UUID_LEN + 1]);
void aev__broker_token(aev_broker *b, char *out, size_t len);
uint64_t aev__broker_random(aev_broker *b);

/* Held by a request from its check of an account-wide quota until what it
 * asked for counts in that quota's usage (Kinesis's shards and on-demand
 * streams), so that two requests at once never both pass it. Taken before
 * any resource's own lock. */
void aev__broker_quota_lock(aev_broker *b);
void aev__broker_quota_unlock(aev_broker *b);

/* Sends a printf-formatted line to the log callback if level is enabled.
 * Never call it with a lock held. */
void aev__log(aev_broker *b, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* HTTP endpoints that application callbacks stand for (endpoint.c). */
typedef struct aev__endpoints aev__endpoints;
int aev__endpoints_new(aev__endpoints **out);
/* Broker destroy: drops every registration (each release runs after its
 * last call) and refuses new ones. */
void aev__endpoints_close(aev__endpoints *t);
void aev__endpoints_free(aev__endpoints *t);

/* What an HTTP call got back: a status from 100 to 599, or one of these;
 * body (malloc'd, NUL-terminated past len) is the caller's to free, and so
 * are headers (a jansson object of strings, or NULL; free both with
 * aev__http_result_free). */
#define AEV__HTTP_UNREACHABLE 0  /* no callback stands for the URL */
#define AEV__HTTP_NO_RESPONSE -1 /* the callback returned without answering */
typedef struct aev__http_result {
  int status;
  char *body;
  size_t len;
  struct json_t *headers;
} aev__http_result;
void aev__http_result_free(aev__http_result *r);

/* Calls the endpoint callback whose URL prefix is the longest that url
 * starts with, on the calling thread, which must be one that may run user
 * code (the handler pool); no lock may be held. headers_json is a JSON
 * object of strings. Fails only for want of memory. */
int aev__http_call(aev_broker *b, const char *method, const char *url,
                   const char *headers_json, const char *body, size_t len,
                   aev__http_result *out);

#endif
