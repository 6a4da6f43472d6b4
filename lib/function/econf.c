/* Asynchronous invocation configuration: PutFunctionEventInvokeConfig /
 * UpdateFunctionEventInvokeConfig (MaximumRetryAttempts 0..2,
 * MaximumEventAgeInSeconds 60..21600, OnSuccess / OnFailure destinations)
 * and DeadLetterConfig, with GetFunctionEventInvokeConfig's shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"

void aev__econf_free(aev__econf *e) {
  free(e->on_success);
  free(e->on_failure);
  free(e->dlq);
  e->on_success = e->on_failure = e->dlq = NULL;
}

/* Queues and functions of this library can receive destination records;
 * topics and buses land with their own primitives. */
int aev__fn_check_destination(const char *arn, const char *member) {
  const char *svc = NULL;
  if (arn && strncmp(arn, "arn:", 4) == 0) {
    const char *p = strchr(arn + 4, ':');
    if (p) svc = p + 1;
  }
  if (svc && (strncmp(svc, "sqs:", 4) == 0 || strncmp(svc, "lambda:", 7) == 0 ||
              strncmp(svc, "sns:", 4) == 0 ||
              (strncmp(svc, "events:", 7) == 0 && strstr(svc, ":event-bus/"))))
    return AEV_OK;
  return aev__fn_invalid("The provided destination config %s is invalid: %s "
                         "is not a valid ARN of a queue, a topic, an event "
                         "bus or a function.",
                         member, arn ? arn : "");
}

static int destination(json_t *dc, const char *key, char **out) {
  json_t *d = json_object_get(dc, key);
  if (!d || json_is_null(d)) return AEV_OK;
  json_t *arn = json_object_get(d, "Destination");
  if (!json_is_object(d) || (arn && !json_is_string(arn)))
    return aev__fn_invalid("%s must be an object with a Destination ARN.",
                           key);
  if (!arn) return AEV_OK;
  int rc = aev__fn_check_destination(json_string_value(arn), key);
  if (rc == AEV_OK && !(*out = strdup(json_string_value(arn))))
    rc = aev__nomem();
  return rc;
}

int aev__econf_put(aev_function *f, json_t *req, int update) {
  if (!json_is_object(req))
    return aev__fn_invalid("The event invoke configuration must be a JSON "
                           "object.");
  pthread_mutex_lock(&f->mu);
  aev__econf cur = f->econf;
  pthread_mutex_unlock(&f->mu);
  if (update && !cur.put)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "The function %s doesn't have an EventInvokeConfig",
                     f->res.arn);
  /* Put replaces the whole configuration; Update keeps what is absent. */
  aev__econf e = {.max_retries = update ? cur.max_retries : 2,
                  .max_age = update ? cur.max_age : 21600, .put = 1};
  int rc = aev__fn_opt_int(req, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2,
                   &e.max_retries);
  if (rc == AEV_OK)
    rc = aev__fn_opt_int(req, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds",
                 60, 21600, &e.max_age);
  json_t *dc = json_object_get(req, "DestinationConfig");
  if (rc == AEV_OK && dc && !json_is_null(dc) && !json_is_object(dc))
    rc = aev__fn_invalid("DestinationConfig must be an object.");
  if (rc == AEV_OK) rc = destination(dc, "OnSuccess", &e.on_success);
  if (rc == AEV_OK) rc = destination(dc, "OnFailure", &e.on_failure);
  if (rc != AEV_OK) {
    aev__econf_free(&e);
    return rc;
  }
  pthread_mutex_lock(&f->mu);
  if (update && !dc) {
    e.on_success = f->econf.on_success;
    e.on_failure = f->econf.on_failure;
    f->econf.on_success = f->econf.on_failure = NULL;
  }
  e.dlq = f->econf.dlq;
  f->econf.dlq = NULL;
  e.modified_ms = aev__fn_now_ms(f);
  aev__econf_free(&f->econf);
  f->econf = e;
  pthread_mutex_unlock(&f->mu);
  return AEV_OK;
}

static json_t *dest_json(const char *arn) {
  return arn ? json_pack("{ss}", "Destination", arn) : json_object();
}

json_t *aev__econf_json(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  json_t *o = NULL;
  if (f->econf.put) {
    char arn[400];
    snprintf(arn, sizeof arn, "%s:$LATEST", f->res.arn);
    o = json_pack("{sfsssisis{soso}}", "LastModified",
                  (double)f->econf.modified_ms / 1000.0, "FunctionArn", arn,
                  "MaximumRetryAttempts", f->econf.max_retries,
                  "MaximumEventAgeInSeconds", f->econf.max_age,
                  "DestinationConfig", "OnSuccess",
                  dest_json(f->econf.on_success), "OnFailure",
                  dest_json(f->econf.on_failure));
  }
  pthread_mutex_unlock(&f->mu);
  return o;
}

int aev_function_put_event_invoke_config(aev_function *f,
                                         const char *config_json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *req = NULL;
  rc = config_json ? aev__json_parse_str(config_json, 0, &req)
       : (req = json_object()) ? AEV_OK : aev__nomem();
  if (rc == AEV_ERR_NOMEM) return rc;
  rc = aev__econf_put(f, req, 0);
  json_decref(req);
  return rc;
}

int aev_function_event_invoke_config(aev_function *f, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *o = aev__econf_json(f);
  if (!o)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "The function %s doesn't have an EventInvokeConfig",
                     f->res.arn);
  *json = aev__json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return *json ? AEV_OK : aev__nomem();
}

int aev_function_set_dead_letter_target(aev_function *f, const char *arn) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  /* Lambda's DeadLetterConfig takes a queue or a topic. */
  const char *svc = arn && strncmp(arn, "arn:", 4) == 0 ? strchr(arn + 4, ':')
                                                        : NULL;
  if (arn && !(svc && (strncmp(svc, ":sqs:", 5) == 0 ||
                       strncmp(svc, ":sns:", 5) == 0)))
    return aev__fn_invalid("The provided target ARN %s is not a queue or a "
                           "topic ARN; DeadLetterConfig takes an SQS queue or "
                           "an SNS topic.",
                           arn);
  char *d = arn ? strdup(arn) : NULL;
  if (arn && !d) return aev__nomem();
  pthread_mutex_lock(&f->mu);
  free(f->econf.dlq);
  f->econf.dlq = d;
  pthread_mutex_unlock(&f->mu);
  return AEV_OK;
}

int aev__econf_delete(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  int had = f->econf.put;
  if (had) {
    free(f->econf.on_success);
    free(f->econf.on_failure);
    f->econf.on_success = f->econf.on_failure = NULL;
    f->econf.max_retries = 2;
    f->econf.max_age = 21600;
    f->econf.put = 0;
  }
  pthread_mutex_unlock(&f->mu);
  return had ? AEV_OK
             : aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                         "The function %s doesn't have an EventInvokeConfig",
                         f->res.arn);
}
