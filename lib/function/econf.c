/* Asynchronous invocation configuration: PutFunctionEventInvokeConfig /
 * UpdateFunctionEventInvokeConfig (MaximumRetryAttempts 0..2,
 * MaximumEventAgeInSeconds 60..21600, OnSuccess / OnFailure destinations)
 * of $LATEST, a version or an alias, and DeadLetterConfig, with
 * GetFunctionEventInvokeConfig's shape. An event invocation of a version
 * or alias without its own configuration runs with the function's. */
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

/* Lambda's words for a destination of a kind it cannot deliver to: the
 * configuration as Java prints it (recorded:
 * test_lambda_eventinvokeconfig_exceptions, put_destination_invalid_service_arn). */
static int invalid_config(json_t *dc) {
  char part[2][300];
  const char *keys[] = {"OnSuccess", "OnFailure"};
  for (int i = 0; i < 2; i++) {
    json_t *d = json_object_get(dc, keys[i]);
    const char *arn = json_string_value(json_object_get(d, "Destination"));
    if (!json_is_object(d)) snprintf(part[i], sizeof part[i], "null");
    else snprintf(part[i], sizeof part[i], "%s(destination=%s)", keys[i], arn ? arn : "null");
  }
  return aev__fn_invalid("The provided destination config DestinationConfig(onSuccess=%s, "
                         "onFailure=%s) is invalid.", part[0], part[1]);
}

/* A destination of f as Lambda checks it: the front end's pattern, then a
 * queue, topic, event bus or function; a function must exist and not be f
 * itself (recorded: test_lambda_eventinvokeconfig_exceptions). */
static int check_destination(aev_function *f, json_t *dc, const char *arn, const char *member) {
  if (!aev__fn_pattern_ok(AEV__FN_PAT_DESTINATION, arn))
    return aev__fail_validation(arn, member,
                                "Member must satisfy regular expression pattern: " AEV__FN_DESTINATION_PATTERN);
  const char *svc = strchr(arn + 4, ':') + 1;
  if (strncmp(svc, "sqs:", 4) == 0 || strncmp(svc, "sns:", 4) == 0 ||
      (strncmp(svc, "events:", 7) == 0 && strstr(svc, ":event-bus/")))
    return AEV_OK;
  if (strncmp(svc, "lambda:", 7)) return invalid_config(dc);
  aev_function *g;
  const char *q;
  char buf[512];
  if (aev__function_find_qualified(f->res.broker, arn, &g, &q, buf, sizeof buf) != AEV_OK)
    return aev__fn_invalid("The destination ARN %s is invalid.", arn);
  aev_function_release(g);
  if (g == f)
    return aev__fn_invalid("You can't specify the function as a destination for itself.");
  return AEV_OK;
}

static int destination(aev_function *f, json_t *dc, const char *key, const char *member,
                       char **out) {
  json_t *d = json_object_get(dc, key);
  if (!d || json_is_null(d)) return AEV_OK;
  json_t *arn = json_object_get(d, "Destination");
  if (!json_is_object(d) || (arn && !json_is_string(arn)))
    return aev__fn_invalid("%s must be an object with a Destination ARN.",
                           key);
  if (!arn || !json_string_length(arn)) return AEV_OK;
  int rc = check_destination(f, dc, json_string_value(arn), member);
  if (rc == AEV_OK && !(*out = strdup(json_string_value(arn))))
    rc = aev__nomem();
  return rc;
}

/* mu held: qualifier's configuration slot (NULL: $LATEST's), created
 * with the defaults when create is set; NULL when absent (or out of
 * memory). */
static aev__econf *slot_locked(aev_function *f, const char *qualifier, int create) {
  if (!qualifier) return &f->econf;
  for (aev__qeconf *q = f->qeconfs; q; q = q->next)
    if (strcmp(q->qualifier, qualifier) == 0) return &q->e;
  aev__qeconf *q = create && strlen(qualifier) < sizeof q->qualifier ? calloc(1, sizeof *q) : NULL;
  if (!q) return NULL;
  q->e.max_retries = 2;
  q->e.max_age = 21600;
  strcpy(q->qualifier, qualifier);
  aev__qeconf **tail = &f->qeconfs;
  while (*tail) tail = &(*tail)->next;
  *tail = q;
  return &q->e;
}

/* Lambda names $LATEST's configuration ARN:$LATEST. */
static int no_config(aev_function *f, const char *qualifier) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The function %s:%s doesn't have an EventInvokeConfig",
                   f->res.arn, qualifier ? qualifier : "$LATEST");
}

const aev__econf *aev__econf_for_locked(aev_function *f, const char *qualifier) {
  const aev__econf *e = qualifier && *qualifier ? slot_locked(f, qualifier, 0) : NULL;
  return e && e->put ? e : &f->econf;
}

int aev__econf_put(aev_function *f, const char *qualifier, json_t *req, int update) {
  if (!json_is_object(req))
    return aev__fn_invalid("The event invoke configuration must be a JSON "
                           "object.");
  pthread_mutex_lock(&f->mu);
  const aev__econf *slot = slot_locked(f, qualifier, 0);
  aev__econf cur = slot ? *slot : (aev__econf){0};
  pthread_mutex_unlock(&f->mu);
  if (update && !cur.put) return no_config(f, qualifier);
  /* Put replaces the whole configuration; Update keeps what is absent. */
  aev__econf e = {.max_retries = update ? cur.max_retries : 2,
                  .max_age = update ? cur.max_age : 21600, .put = 1,
                  .retries_set = update && cur.retries_set,
                  .age_set = update && cur.age_set};
  int rc = aev__fn_opt_int(req, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2,
                   &e.max_retries);
  if (rc == AEV_OK)
    rc = aev__fn_opt_int(req, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds",
                 60, 21600, &e.max_age);
  e.retries_set |= json_object_get(req, "MaximumRetryAttempts") != NULL;
  e.age_set |= json_object_get(req, "MaximumEventAgeInSeconds") != NULL;
  json_t *dc = json_object_get(req, "DestinationConfig");
  if (rc == AEV_OK && dc && !json_is_null(dc) && !json_is_object(dc))
    rc = aev__fn_invalid("DestinationConfig must be an object.");
  if (rc == AEV_OK)
    rc = destination(f, dc, "OnSuccess", "destinationConfig.onSuccess.destination", &e.on_success);
  if (rc == AEV_OK)
    rc = destination(f, dc, "OnFailure", "destinationConfig.onFailure.destination", &e.on_failure);
  if (rc != AEV_OK) {
    aev__econf_free(&e);
    return rc;
  }
  pthread_mutex_lock(&f->mu);
  aev__econf *to = slot_locked(f, qualifier, 1);
  if (!to) {
    pthread_mutex_unlock(&f->mu);
    aev__econf_free(&e);
    return aev__nomem();
  }
  if (update && !dc) {
    e.on_success = to->on_success;
    e.on_failure = to->on_failure;
    to->on_success = to->on_failure = NULL;
  }
  e.dlq = to->dlq;
  to->dlq = NULL;
  e.modified_ms = aev__fn_now_ms(f);
  aev__econf_free(to);
  *to = e;
  pthread_mutex_unlock(&f->mu);
  return AEV_OK;
}

static json_t *dest_json(const char *arn) {
  return arn ? json_pack("{ss}", "Destination", arn) : json_object();
}

/* mu held: GetFunctionEventInvokeConfig's shape of e, named ARN:qualifier.
 * The limits appear only when they were given: a Put of
 * MaximumRetryAttempts alone answers no MaximumEventAgeInSeconds
 * (recorded: test_lambda_eventinvokeconfig_exceptions, put_post_overwrite). */
static json_t *econf_json_locked(aev_function *f, const aev__econf *e, const char *qualifier) {
  char arn[400];
  snprintf(arn, sizeof arn, "%s:%s", f->res.arn, qualifier ? qualifier : "$LATEST");
  json_t *o = json_pack("{sfsss{soso}}", "LastModified", (double)e->modified_ms / 1000.0,
                        "FunctionArn", arn, "DestinationConfig", "OnSuccess",
                        dest_json(e->on_success), "OnFailure", dest_json(e->on_failure));
  if (e->retries_set) aev__fn_put(&o, "MaximumRetryAttempts", json_integer(e->max_retries));
  if (e->age_set) aev__fn_put(&o, "MaximumEventAgeInSeconds", json_integer(e->max_age));
  return o;
}

json_t *aev__econf_json(aev_function *f, const char *qualifier) {
  pthread_mutex_lock(&f->mu);
  const aev__econf *e = slot_locked(f, qualifier, 0);
  json_t *o = e && e->put ? econf_json_locked(f, e, qualifier) : NULL;
  pthread_mutex_unlock(&f->mu);
  return o;
}

int aev__econf_list(aev_function *f, json_t **out) {
  json_t *list = json_array();
  pthread_mutex_lock(&f->mu);
  if (f->econf.put) aev__fn_put(&list, NULL, econf_json_locked(f, &f->econf, NULL));
  for (aev__qeconf *q = f->qeconfs; list && q; q = q->next)
    if (q->e.put) aev__fn_put(&list, NULL, econf_json_locked(f, &q->e, q->qualifier));
  pthread_mutex_unlock(&f->mu);
  *out = list ? json_pack("{so}", "FunctionEventInvokeConfigs", list) : NULL;
  return *out ? AEV_OK : aev__nomem();
}

int aev_function_put_event_invoke_config(aev_function *f,
                                         const char *config_json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *req = NULL;
  rc = config_json ? aev__json_parse_str(config_json, 0, &req)
       : (req = json_object()) ? AEV_OK : aev__nomem();
  if (rc == AEV_ERR_NOMEM) return rc;
  rc = aev__econf_put(f, NULL, req, 0);
  json_decref(req);
  return rc;
}

int aev_function_event_invoke_config(aev_function *f, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *o = aev__econf_json(f, NULL);
  if (!o) return no_config(f, NULL);
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

/* Back to the defaults (the DeadLetterConfig stays: it is the
 * function's). */
static void reset(aev__econf *e) {
  free(e->on_success);
  free(e->on_failure);
  e->on_success = e->on_failure = NULL;
  e->max_retries = 2;
  e->max_age = 21600;
  e->put = e->retries_set = e->age_set = 0;
}

int aev__econf_delete(aev_function *f, const char *qualifier) {
  pthread_mutex_lock(&f->mu);
  aev__econf *e = slot_locked(f, qualifier, 0);
  int had = e && e->put;
  if (had) reset(e);
  pthread_mutex_unlock(&f->mu);
  return had ? AEV_OK : no_config(f, qualifier);
}

void aev__econf_drop_locked(aev_function *f, const char *qualifier) {
  aev__econf *e = slot_locked(f, qualifier, 0);
  if (e) reset(e);
}

void aev__econfs_free(aev_function *f) {
  aev__econf_free(&f->econf);
  while (f->qeconfs) {
    aev__qeconf *q = f->qeconfs;
    f->qeconfs = q->next;
    aev__econf_free(&q->e);
    free(q);
  }
}
