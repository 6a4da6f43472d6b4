/* UpdateFunctionCode: a new package (and Architectures) for $LATEST, with
 * its RevisionId precondition, DryRun and Publish. The handler stays bound:
 * only what Lambda reports of the package changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/csc.h"
#include "function/function_impl.h"

/* Architectures: one of x86_64 and arm64, worded as Lambda's front end
 * words a list member's constraints. */
static int check_architectures(json_t *a) {
  char shown[256] = "[";
  size_t i;
  json_t *v;
  int ok = json_is_array(a);
  json_array_foreach(a, i, v) {
    const char *s = json_string_value(v);
    ok = ok && s && (!strcmp(s, "x86_64") || !strcmp(s, "arm64"));
    snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", i ? ", " : "",
             s ? s : "null");
  }
  snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "]");
  if (ok && json_array_size(a) > 1)
    return aev__fail_validation(shown, "architectures",
                                "Member must have length less than or equal to 1");
  if (!ok || json_array_size(a) == 0)
    return aev__fail_validation(shown, "architectures",
                                "Member must satisfy constraint: [Member must satisfy enum value "
                                "set: [x86_64, arm64], Member must not be null]");
  return AEV_OK;
}

static int opt_flag(json_t *req, const char *name, int *out) {
  json_t *v = json_object_get(req, name);
  *out = json_is_true(v);
  if (!v || json_is_null(v) || json_is_boolean(v)) return AEV_OK;
  return aev__fn_invalid("%s must be a boolean.", name);
}

/* The next configuration: $LATEST's with the new package, Architectures
 * and LastModified. */
static int next_conf(aev_function *f, json_t *req, aev__fconf **out) {
  json_t *arch = json_object_get(req, "Architectures");
  if (json_is_null(arch)) arch = NULL;
  int rc = arch ? check_architectures(arch) : AEV_OK;
  if (rc != AEV_OK) return rc;
  aev__fconf *old = aev__fconf_get(f);
  aev__fcode code;
  rc = aev__fn_code_parse(req, old->code.image_uri != NULL, 0, "UpdateFunctionCode", &code);
  const int have_code = rc == AEV_OK;
  json_t *members = rc == AEV_OK ? json_object() : NULL;
  if (rc == AEV_OK && (!members || (arch && json_object_set(members, "Architectures", arch))))
    rc = aev__nomem();
  aev__fconf *c = NULL;
  if (rc == AEV_OK) rc = aev__fconf_parse(f->res.broker, members, old, aev__fn_now_ms(f), &c);
  json_decref(members);
  aev__fconf_unref(old);
  if (rc == AEV_OK) rc = aev__fn_code_fits(&code, c->layers_unzipped);
  if (rc != AEV_OK) {
    if (have_code) aev__fn_code_free(&code);
    aev__fconf_unref(c);
    return rc;
  }
  aev__fn_code_free(&c->code);
  c->code = code;
  *out = c;
  return AEV_OK;
}

/* Puts back $LATEST as it was (an answer could not be made), unless
 * something changed it since. */
static void restore(aev_function *f, aev__fconf *old, const char was[37], const char now[37]) {
  pthread_mutex_lock(&f->mu);
  aev__fconf *c = NULL;
  if (strcmp(f->revision, now) == 0) {
    c = f->conf;
    f->conf = old;
    memcpy(f->revision, was, 37);
    old = NULL;
  }
  pthread_mutex_unlock(&f->mu);
  aev__fconf_unref(c);
  aev__fconf_unref(old);
}

int aev__fn_update_code(aev_function *f, json_t *req, char **answer) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (!json_is_object(req))
    return aev__fn_invalid("UpdateFunctionCode takes a JSON object of its members.");
  int dry, publish;
  json_t *rev = json_object_get(req, "RevisionId");
  if (json_is_null(rev)) rev = NULL;
  rc = opt_flag(req, "DryRun", &dry);
  if (rc == AEV_OK) rc = opt_flag(req, "Publish", &publish);
  if (rc == AEV_OK && rev && !json_is_string(rev)) rc = aev__fn_invalid("RevisionId must be a string.");
  /* A new package meets the function's code signing configuration. */
  int warned = 0;
  if (rc == AEV_OK) rc = aev__csc_function_deploy(f, 1, 0, &warned);
  aev__fconf *c = NULL;
  if (rc == AEV_OK) rc = next_conf(f, req, &c);
  if (rc != AEV_OK) return rc;
  char revision[37], was[37];
  aev__broker_uuid(f->res.broker, revision);
  pthread_mutex_lock(&f->mu);
  aev__fconf *old = f->conf;
  memcpy(was, f->revision, sizeof was);
  /* RevisionId: only that revision of $LATEST is updated, as Lambda does;
   * DryRun checks everything and changes nothing. */
  const int stale = rev && strcmp(json_string_value(rev), f->revision) != 0;
  if (!stale && !dry) {
    f->conf = c;
    memcpy(f->revision, revision, sizeof revision);
  }
  pthread_mutex_unlock(&f->mu);
  if (stale) {
    aev__fconf_unref(c);
    return aev__fn_stale_revision();
  }
  if (dry) {
    /* The configuration it would make, under the current RevisionId. */
    json_t *o = answer ? aev__fconf_json(f, c) : NULL;
    aev__fconf_unref(c);
    if (!answer) return AEV_OK;
    aev__fn_put(&o, "RevisionId", json_string(was));
    return aev__fn_dump(o, answer);
  }
  /* Publish: the version that the new code makes (or the last one, when
   * nothing changed), answered under its qualified ARN. Without an answer
   * (out of memory) nothing has changed. */
  char *text = NULL;
  rc = publish ? aev__fn_publish(f, NULL, NULL, NULL, answer ? &text : NULL)
       : answer ? aev__fn_dump(aev__function_config_json(f), &text)
                : AEV_OK;
  if (rc != AEV_OK) {
    restore(f, old, was, revision);
    return rc;
  }
  aev__fconf_unref(old);
  if (warned) aev__csc_warned(f);
  if (answer) *answer = text;
  return AEV_OK;
}

int aev_function_update_code(aev_function *f, const char *request_json, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *req = NULL;
  rc = aev__json_parse_str(request_json ? request_json : "{}", 0, &req);
  if (rc == AEV_ERR_INVALID) return aev__fn_invalid("The request is not valid JSON.");
  if (rc != AEV_OK) return rc;
  rc = aev__fn_update_code(f, req, json);
  json_decref(req);
  return rc;
}
