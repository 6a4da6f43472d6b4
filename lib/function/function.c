/* Function lifecycle: CreateFunction (name rules, conflicts), lookup by name
 * or ARN, DeleteFunction, configuration updates, reserved concurrency,
 * metrics, and the handle's reference counting. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/csc.h"
#include "function/function_impl.h"

int64_t aev__fn_now(const aev_function *f) {
  return aev__clock_mono_ms(aev__broker_clock(f->res.broker));
}

int64_t aev__fn_now_ms(const aev_function *f) {
  return aev__clock_now_ms(aev__broker_clock(f->res.broker));
}

int aev__fn_check(const aev_function *f) {
  if (!f) return aev__fn_invalid("Missing argument.");
  if (!f->res.deleted) return AEV_OK;
  int rc = aev__broker_check_open(f->res.broker);
  return rc != AEV_OK ? rc : aev__fn_not_found(f->res.arn);
}

static int name_ok(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len > 64) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

aev_release_fn aev__fn_take_release_locked(aev_function *f) {
  if (!f->res.deleted || f->calls) return NULL;
  aev_release_fn release = f->release;
  f->release = NULL;
  return release;
}

/* Deletion gives the reservation, or the provisioned concurrency an
 * unreserved function took, back to the account's pool. Its event-source
 * mappings stay, as Lambda keeps them (esm_store.c). The broker's
 * shutdown deletes the function too: handles still held answer
 * AEV_ERR_CLOSED (broker.h). The handler's release runs now, or when its
 * last call returns, not when the last handle goes (function.h). */
static void function_shutdown(aev__resource *r) {
  aev_function *f = (aev_function *)r;
  pthread_mutex_lock(&f->mu);
  f->res.deleted = 1;
  if (f->reserved >= 0) aev__account_reserve(f->account, f->reserved, -1, 0);
  else aev__account_provision(f->account, f->provisioned, 0);
  f->reserved = -1;
  f->provisioned = 0;
  aev_release_fn release = aev__fn_take_release_locked(f);
  pthread_mutex_unlock(&f->mu);
  if (release) release(f->user);
}

static void function_destroy(aev__resource *r) {
  aev_function *f = (aev_function *)r;
  if (f->release) f->release(f->user);
  if (f->origin) aev__resource_unref(f->origin);
  if (f->account) aev__resource_unref(&f->account->res);
  aev__fconf_unref(f->conf);
  aev__econfs_free(f);
  aev__versions_free(f);
  aev__policies_free(f);
  json_decref(f->tags);
  json_decref(f->settings);
  aev__fn_provisioned_free(f);
  while (f->idle) {
    aev__env *e = f->idle;
    f->idle = e->next;
    free(e);
  }
  pthread_mutex_destroy(&f->mu);
  free(f);
}

int aev_function_create(aev_broker *b, const char *name,
                        const char *config_json, aev_handler_fn fn, void *user,
                        aev_release_fn release, aev_function **out) {
  if (!b) return aev__fn_invalid("Missing argument.");
  if (!name || !name_ok(name))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at "
                     "'functionName' failed to satisfy constraint: Member "
                     "must satisfy regular expression pattern: "
                     "[a-zA-Z0-9-_]+ and have length less than or equal to 64",
                     name ? name : "");
  if (!fn) return aev__fn_invalid("A handler is required.");
  json_t *req = NULL;
  int rc = config_json ? aev__json_parse_str(config_json, 0, &req) : AEV_OK;
  if (rc == AEV_ERR_INVALID)
    return aev__fn_invalid("The function configuration is not valid JSON.");
  if (rc) return rc;
  aev_function *f = calloc(1, sizeof *f);
  if (!f) {
    json_decref(req);
    return aev__nomem();
  }
  /* CodeSigningConfigArn: checked (and what the function deploys against
   * it) before anything exists, attached once it is registered. */
  json_t *given = json_object_get(req, "CodeSigningConfigArn");
  const char *csc = json_string_value(given);
  char *csc_arn = NULL;
  int warned = 0;
  rc = given && !json_is_null(given) && !csc
           ? aev__fn_invalid("CodeSigningConfigArn must be a string.")
       : csc ? aev__csc_create_check(b, csc, name, req, &warned)
             : AEV_OK;
  if (rc == AEV_OK && csc && !(csc_arn = strdup(csc))) rc = aev__nomem();
  if (rc == AEV_OK) rc = aev__fconf_parse(b, req, NULL, aev_broker_now_ms(b), &f->conf);
  json_decref(req);
  if (rc == AEV_OK) aev__broker_uuid(b, f->revision);
  if (rc == AEV_OK) rc = aev__account_of(b, &f->account);
  if (rc != AEV_OK) {
    aev__fconf_unref(f->conf);
    free(f);
    free(csc_arn);
    return rc;
  }
  f->fn = fn;
  f->user = user;
  f->reserved = -1;
  f->reclaim_ms = 300000;
  f->econf.max_retries = 2;
  f->econf.max_age = 21600;
  snprintf(f->log_group, sizeof f->log_group, "/aws/lambda/%s", name);
  pthread_mutex_init(&f->mu, NULL);
  rc = aev__resource_init(&f->res, b, AEV__KIND_FUNCTION, name,
                          function_destroy, function_shutdown);
  if (rc != AEV_OK) {
    aev__fconf_unref(f->conf);
    aev__resource_unref(&f->account->res);
    pthread_mutex_destroy(&f->mu);
    free(f);
    free(csc_arn);
    return rc;
  }
  rc = aev__registry_add(b, &f->res, NULL);
  if (rc != AEV_OK) {
    free(csc_arn);
    aev__resource_unref(&f->res); /* no release yet: fn's user stays theirs */
    return rc == AEV_ERR_EXISTS
               ? aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                           "Function already exist: %s", name)
               : rc;
  }
  /* Under the store's lock: a configuration deleted since the check
   * leaves no function behind. */
  rc = csc_arn ? aev__csc_attach(f, csc_arn) : AEV_OK;
  free(csc_arn);
  if (rc != AEV_OK) {
    aev_function_delete(f);
    aev__resource_unref(&f->res); /* no release yet: fn's user stays theirs */
    return rc;
  }
  if (warned) aev__csc_warned(f);
  f->release = release;
  if (out) *out = f;
  else aev__resource_unref(&f->res);
  return AEV_OK;
}

int aev__function_find(aev_broker *b, const char *name_or_arn,
                       aev_function **out) {
  char buf[256];
  const char *key = name_or_arn ? name_or_arn : "";
  size_t len = strlen(key);
  /* An ARN qualified with $LATEST names the unqualified function. */
  if (len > 8 && strcmp(key + len - 8, ":$LATEST") == 0 &&
      len - 8 < sizeof buf) {
    memcpy(buf, key, len - 8);
    buf[len - 8] = '\0';
    key = buf;
  }
  aev__resource *r = aev__fn_hidden(key)
                         ? NULL
                         : aev__registry_find(b, AEV__KIND_FUNCTION, key);
  if (!r) {
    int rc = aev__broker_check_open(b);
    if (rc != AEV_OK) return rc;
    if (strncmp(key, "arn:", 4) == 0) return aev__fn_not_found(key);
    char arn[400];
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s:function:%s",
             aev_broker_region(b), aev_broker_account(b), key);
    return aev__fn_not_found(arn);
  }
  *out = (aev_function *)r;
  return AEV_OK;
}

int aev__function_parse_qualified(aev_broker *b, const char *name,
                                  const char **qualifier, char *buf,
                                  size_t size) {
  /* Lambda's partial ARN ACCOUNT:function:NAME is the ARN in the broker's
   * region; in another account it is not found, as the ARN would be. */
  int partial = strlen(name) > 22 && strspn(name, "0123456789") == 12 &&
                strncmp(name + 12, ":function:", 10) == 0;
  snprintf(buf, size, "%s%s%s", partial ? "arn:aws:lambda:" : "",
           partial ? aev_broker_region(b) : "", partial ? ":" : "");
  snprintf(buf + strlen(buf), size - strlen(buf), "%s", name);
  /* arn:aws:lambda:R:A:function:NAME[:QUALIFIER] or NAME[:QUALIFIER] */
  int colons = 0;
  char *last = NULL;
  for (char *p = buf; *p; p++)
    if (*p == ':') {
      colons++;
      last = p;
    }
  int arn = strncmp(buf, "arn:", 4) == 0;
  /* Lambda: an ARN of another region names no function here. */
  const char *region = arn ? strchr(buf + 4, ':') : NULL;
  region = region ? strchr(region + 1, ':') : NULL;
  size_t rlen = region ? strcspn(region + 1, ":") : 0;
  if (region && (rlen != strlen(aev_broker_region(b)) ||
                 strncmp(region + 1, aev_broker_region(b), rlen)))
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Functions from '%.*s' are not reachable in this region ('%s')",
                     (int)rlen, region + 1, aev_broker_region(b));
  *qualifier = NULL;
  if ((arn && colons == 7) || (!arn && colons == 1)) {
    *last = '\0';
    *qualifier = last + 1;
  }
  return AEV_OK;
}

int aev__function_find_qualified(aev_broker *b, const char *name,
                                 aev_function **out, const char **qualifier,
                                 char *buf, size_t size) {
  const char *q;
  int rc = aev__function_parse_qualified(b, name, &q, buf, size);
  if (rc == AEV_OK) rc = aev__function_find(b, buf, out);
  if (rc != AEV_OK) return rc;
  *qualifier = q && strcmp(q, "$LATEST") != 0 ? q : NULL;
  return AEV_OK;
}

int aev__function_target_arn(aev_broker *b, const char *name, char **arn) {
  aev_function *f;
  const char *q;
  char buf[512];
  int rc = aev__function_find_qualified(b, name, &f, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  rc = aev__function_check_qualifier(f, q);
  if (rc == AEV_OK && !(*arn = aev__function_qualified_arn(f, q)))
    rc = aev__nomem();
  aev_function_release(f);
  return rc;
}

int aev__function_arn_of(aev_broker *b, const char *name, char **arn) {
  const char *q;
  char buf[512];
  int rc = aev__function_parse_qualified(b, name, &q, buf, sizeof buf);
  if (rc != AEV_OK) return rc;
  char *base = strncmp(buf, "arn:", 4) == 0
                   ? strdup(buf)
                   : aev__resource_arn(b, AEV__KIND_FUNCTION, buf);
  int qualified = q && strcmp(q, "$LATEST") != 0;
  size_t n = base ? strlen(base) + (qualified ? strlen(q) + 2 : 1) : 0;
  *arn = base ? malloc(n) : NULL;
  if (*arn) snprintf(*arn, n, "%s%s%s", base, qualified ? ":" : "", qualified ? q : "");
  free(base);
  return *arn ? AEV_OK : aev__nomem();
}

int aev_function_get(aev_broker *b, const char *name_or_arn,
                     aev_function **out) {
  if (!b || !out) return aev__fn_invalid("Missing argument.");
  return aev__function_find(b, name_or_arn, out);
}

void aev_function_release(aev_function *f) {
  if (f) aev__resource_unref(&f->res);
}

int aev_function_delete(aev_function *f) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (aev__registry_remove(f->res.broker, &f->res) != AEV_OK)
    return aev__fn_not_found(f->res.arn);
  return AEV_OK;
}

const char *aev_function_name(const aev_function *f) { return f ? f->res.name : NULL; }
const char *aev_function_arn(const aev_function *f) { return f ? f->res.arn : NULL; }

int aev_function_set_init(aev_function *f, aev_init_fn init) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) f->init = init;
  return rc;
}

int aev_function_configuration(aev_function *f, char **json) {
  int rc = aev__fn_check(f);
  return rc != AEV_OK ? rc : aev__fn_dump(aev__function_config_json(f), json);
}

int aev_function_update_configuration(aev_function *f,
                                      const char *config_json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *req = NULL;
  if (config_json) rc = aev__json_parse_str(config_json, 0, &req);
  if (rc == AEV_ERR_INVALID)
    return aev__fn_invalid("The function configuration is not valid JSON.");
  if (rc) return rc;
  /* Layers added meet the function's code signing configuration. */
  int warned = 0;
  rc = aev__csc_function_deploy(f, 0, json_array_size(json_object_get(req, "Layers")) > 0,
                                &warned);
  if (rc != AEV_OK) {
    json_decref(req);
    return rc;
  }
  aev__fconf *old = aev__fconf_get(f), *c;
  rc = aev__fconf_parse(f->res.broker, req, old, aev__fn_now_ms(f), &c);
  aev__fconf_unref(old);
  /* RevisionId: only the revision it names is updated, as Lambda does. */
  json_t *rev = json_object_get(req, "RevisionId");
  if (rc == AEV_OK && rev && !json_is_string(rev)) {
    aev__fconf_unref(c);
    rc = aev__fn_invalid("RevisionId must be a string.");
  }
  if (rc != AEV_OK) {
    json_decref(req);
    return rc;
  }
  char revision[37];
  aev__broker_uuid(f->res.broker, revision);
  pthread_mutex_lock(&f->mu);
  old = f->conf;
  int stale = rev && strcmp(json_string_value(rev), f->revision) != 0;
  if (!stale) {
    f->conf = c;
    memcpy(f->revision, revision, sizeof revision);
  }
  pthread_mutex_unlock(&f->mu);
  json_decref(req);
  aev__fconf_unref(stale ? c : old);
  if (!stale && warned) aev__csc_warned(f);
  return stale ? aev__fn_stale_revision() : AEV_OK;
}

int aev_function_set_reserved_concurrency(aev_function *f, int reserved) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (reserved < -1)
    return aev__fn_range("reservedConcurrentExecutions", reserved, 0,
                         INT32_MAX);
  pthread_mutex_lock(&f->mu);
  if (f->res.deleted) rc = aev__fn_check(f);
  else if (reserved >= 0 && reserved < f->provisioned)
    /* Recorded (test_reserved_provisioned_overlap), spacing included. */
    rc = aev__fn_invalid(" ReservedConcurrentExecutions  %d should not be "
                         "lower than function's total provisioned "
                         "concurrency [%d].",
                         reserved, f->provisioned);
  else
    rc = aev__account_reserve(f->account, f->reserved, reserved,
                              f->provisioned);
  if (rc == AEV_OK) f->reserved = reserved;
  pthread_mutex_unlock(&f->mu);
  return rc;
}

int aev_function_reserved_concurrency(aev_function *f) {
  if (!f) return -1;
  pthread_mutex_lock(&f->mu);
  int r = f->reserved;
  pthread_mutex_unlock(&f->mu);
  return r;
}

int aev_function_set_idle_reclaim_ms(aev_function *f, int64_t ms) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (ms < 0) return aev__fn_invalid("The idle time must be >= 0 ms.");
  pthread_mutex_lock(&f->mu);
  f->reclaim_ms = ms;
  pthread_mutex_unlock(&f->mu);
  return AEV_OK;
}

int aev_function_metrics(aev_function *f, char **json) {
  if (!f || !json) return aev__fn_invalid("Missing argument.");
  pthread_mutex_lock(&f->mu);
  aev__fn_reclaim_locked(f, aev__fn_now(f));
  json_t *o = json_pack(
      "{sIsIsIsIsisIsisIsIsIsI}", "Invocations", (json_int_t)f->m.invocations,
      "Errors", (json_int_t)f->m.errors, "Throttles",
      (json_int_t)f->m.throttles, "ColdStarts", (json_int_t)f->m.cold_starts,
      "ConcurrentExecutions", f->running, "Duration",
      (json_int_t)f->m.duration_ms, "Environments", f->busy_envs + f->n_idle,
      "AsyncEventsDropped", (json_int_t)f->m.dropped,
      "DestinationDeliveryFailures", (json_int_t)f->m.dest_failures,
      "RecursiveInvocationsDropped", (json_int_t)f->m.recursive_dropped,
      "SignatureValidationErrors", (json_int_t)f->m.signature_errors);
  pthread_mutex_unlock(&f->mu);
  return aev__fn_dump(o, json);
}
