/* Function configuration: CreateFunction / UpdateFunctionConfiguration
 * members parsed into an immutable snapshot (Timeout 1..900 default 3,
 * 1..5400 on a capacity provider; MemorySize 128..10240 default 128;
 * Environment.Variables; recorded members), and GetFunctionConfiguration's
 * shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/capacity.h"
#include "function/durable.h"
#include "function/function_impl.h"
#include "function/layers.h"

/* Members kept as given and reported back by GetFunctionConfiguration. */
static const char *const recorded[] = {"Description", "Runtime", "Handler",
                                       "Role", "Architectures",
                                       "EphemeralStorage", "Layers",
                                       "TracingConfig", "ImageConfig",
                                       "CapacityProviderConfig"};

void aev__fn_iso_time(int64_t ms, char *out, size_t size, int zulu) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&s, &tm);
  size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, size - n, ".%03d%s", (int)(ms % 1000),
           zulu ? "Z" : "+0000");
}

/* Lambda: all of the variables, measured as their compact JSON text in
 * bytes, take at most 4 KB; its error quotes the text it measured. */
#define ENV_VARS_MAX 4096

static int check_vars_size(json_t *v) {
  char *text = aev__json_dumps(v, JSON_COMPACT);
  if (!text) return aev__nomem();
  int rc = strlen(text) <= ENV_VARS_MAX
               ? AEV_OK
               : aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                           "Lambda was unable to configure your environment variables because "
                           "the environment variables you have provided exceeded the 4KB limit. "
                           "String measured: %s",
                           text);
  free(text);
  return rc;
}

static int parse_vars(json_t *req, json_t **vars) {
  json_t *env = json_object_get(req, "Environment");
  if (!env || json_is_null(env)) return AEV_OK;
  json_t *v = json_object_get(env, "Variables");
  if (!json_is_object(env) || (v && !json_is_null(v) && !json_is_object(v)))
    return aev__fn_invalid("Environment must be an object with a Variables "
                           "map of strings.");
  const char *k;
  json_t *val;
  json_object_foreach(v, k, val) {
    if (!json_is_string(val))
      return aev__fn_invalid("Environment variable %s must be a string.", k);
    /* Lambda reserves these keys for the runtime. */
    if (strncmp(k, "AWS_", 4) == 0 && strcmp(k, "AWS_LAMBDA_EXEC_WRAPPER"))
      return aev__fn_invalid("Lambda was unable to configure your environment "
                             "variables because the environment variables you "
                             "have provided contains reserved keys that are "
                             "currently not supported for modification. "
                             "Reserved keys used in this request: %s", k);
  }
  int rc = json_is_object(v) ? check_vars_size(v) : AEV_OK;
  if (rc) return rc;
  json_decref(*vars);
  *vars = v ? json_deep_copy(v) : json_object();
  return *vars ? AEV_OK : aev__nomem();
}

/* CreateFunction's PackageType (Zip, the default, or Image) and Code. A
 * function created without Code has the empty package: its handler is
 * its code. */
static int parse_package(json_t *req, aev__fcode *code) {
  json_t *t = req ? json_object_get(req, "PackageType") : NULL;
  const char *type = t && !json_is_null(t) ? json_string_value(t) : "Zip";
  if (!type || (strcmp(type, "Zip") && strcmp(type, "Image")))
    return aev__fail_validation(type ? type : "", "packageType",
                                "Member must satisfy enum value set: [Image, Zip]");
  return aev__fn_code_parse(req ? json_object_get(req, "Code") : NULL,
                            strcmp(type, "Image") == 0, 1, "CreateFunction", code);
}

void aev__fconf_unref(aev__fconf *c) {
  if (!c || --c->refs > 0) return;
  json_decref(c->doc);
  json_decref(c->vars);
  free(c->last_modified);
  aev__fn_code_free(&c->code);
  free(c);
}

int aev__fconf_parse(aev_broker *b, json_t *req, const aev__fconf *base, int64_t now_ms,
                     aev__fconf **out) {
  if (req && !json_is_object(req))
    return aev__fn_invalid("The function configuration must be a JSON "
                           "object.");
  aev__fconf *c = calloc(1, sizeof *c);
  if (!c) return aev__nomem();
  c->refs = 1;
  c->timeout = base ? base->timeout : 3;
  c->memory = base ? base->memory : 128;
  c->layers_unzipped = base ? base->layers_unzipped : 0;
  c->doc = base ? json_deep_copy(base->doc) : json_object();
  c->vars = base ? json_deep_copy(base->vars) : json_object();
  char when[40];
  aev__fn_iso_time(now_ms, when, sizeof when, 0);
  c->last_modified = strdup(when);
  int rc = c->doc && c->vars && c->last_modified ? AEV_OK : aev__nomem();
  if (rc == AEV_OK && base) rc = aev__fn_code_copy(&base->code, &c->code);
  else if (rc == AEV_OK) rc = parse_package(req, &c->code);
  if (rc == AEV_OK && req)
    rc = aev__fn_opt_int(req, "Timeout", "timeout", 1, AEV__FN_MANAGED_TIMEOUT_MAX,
                         &c->timeout);
  if (rc == AEV_OK && req)
    rc = aev__fn_opt_int(req, "MemorySize", "memorySize", 128, 10240, &c->memory);
  if (rc == AEV_OK && req) rc = parse_vars(req, &c->vars);
  json_t *d = req ? json_object_get(req, "Description") : NULL;
  if (rc == AEV_OK && d && (!json_is_string(d) || json_string_length(d) > 256))
    rc = aev__fn_range("description", (long long)json_string_length(d), 0,
                       256);
  json_t *ic = req ? json_object_get(req, "ImageConfig") : NULL;
  if (rc == AEV_OK && ic && !json_is_null(ic)) rc = aev__fn_image_config_check(ic);
  if (rc == AEV_OK && req) rc = aev__cap_config_check(b, req, base, &c->memory);
  for (size_t i = 0; rc == AEV_OK && req && i < sizeof recorded / sizeof *recorded; i++) {
    json_t *v = json_object_get(req, recorded[i]);
    if (v && json_object_set(c->doc, recorded[i], v)) rc = aev__nomem();
  }
  if (rc == AEV_OK && req) rc = aev__durable_config_parse(req, base ? base->doc : NULL, c->doc);
  /* Layers given: resolved here (base's are resolved already). */
  if (rc == AEV_OK && req && json_object_get(req, "Layers"))
    rc = aev__layer_resolve(b, c->doc, &c->layers_unzipped);
  if (rc == AEV_OK) rc = aev__fn_code_fits(&c->code, c->layers_unzipped);
  c->capacity = aev__cap_arn_of(c->doc) != NULL;
  if (rc == AEV_OK && !c->capacity && c->timeout > AEV__FN_TIMEOUT_MAX)
    rc = aev__fn_range("timeout", c->timeout, 1, AEV__FN_TIMEOUT_MAX);
  if (rc != AEV_OK) {
    aev__fconf_unref(c);
    return rc;
  }
  c->durable = aev__durable_config_of(c) != NULL;
  *out = c;
  return AEV_OK;
}

aev__fconf *aev__fconf_get(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  aev__fconf *c = f->conf;
  c->refs++;
  pthread_mutex_unlock(&f->mu);
  return c;
}

json_t *aev__function_config_json(aev_function *f) {
  char revision[37];
  pthread_mutex_lock(&f->mu); /* the snapshot and its RevisionId together */
  aev__fconf *c = f->conf;
  c->refs++;
  memcpy(revision, f->revision, sizeof revision);
  pthread_mutex_unlock(&f->mu);
  json_t *o = aev__fconf_json(f, c);
  aev__fconf_unref(c);
  aev__fn_put(&o, "RevisionId", json_string(revision));
  return o;
}

json_t *aev__fconf_json(aev_function *f, const aev__fconf *c) {
  json_t *o = json_deep_copy(c->doc);
  /* ImageConfig is answered as ImageConfigResponse, as Lambda does. */
  /* Layers [] removes them: Lambda then reports none. */
  if (json_array_size(json_object_get(c->doc, "Layers")) == 0) json_object_del(o, "Layers");
  json_t *ic = json_object_get(c->doc, "ImageConfig");
  if (o && ic) {
    json_object_del(o, "ImageConfig");
    aev__fn_put(&o, "ImageConfigResponse", json_pack("{sO}", "ImageConfig", ic));
  }
  aev__fn_put(&o, "FunctionName", json_string(f->res.name));
  aev__fn_put(&o, "FunctionArn", json_string(f->res.arn));
  aev__fn_put(&o, "Timeout", json_integer(c->timeout));
  aev__fn_put(&o, "MemorySize", json_integer(c->memory));
  aev__fn_put(&o, "LastModified", json_string(c->last_modified));
  aev__fn_put(&o, "Version", json_string("$LATEST"));
  aev__fn_put(&o, "State", json_string("Active"));
  aev__cap_state_put(f, c, &o);
  aev__fn_put(&o, "LastUpdateStatus", json_string("Successful"));
  aev__fn_put(&o, "PackageType", json_string(c->code.image_uri ? "Image" : "Zip"));
  aev__fn_put(&o, "CodeSha256", json_string(c->code.sha256));
  aev__fn_put(&o, "CodeSize", json_integer(c->code.size));
  /* What Lambda reports for the members a function was created without. */
  static const char *const defaults[][2] = {
      {"Description", "\"\""},
      {"Architectures", "[\"x86_64\"]"},
      {"EphemeralStorage", "{\"Size\":512}"},
      {"TracingConfig", "{\"Mode\":\"PassThrough\"}"},
      {"SnapStart", "{\"ApplyOn\":\"None\",\"OptimizationStatus\":\"Off\"}"}};
  for (size_t i = 0; o && i < sizeof defaults / sizeof *defaults; i++)
    if (!json_object_get(o, defaults[i][0]))
      aev__fn_put(&o, defaults[i][0],
                  json_loads(defaults[i][1], JSON_DECODE_ANY, NULL));
  aev__fn_put(&o, "LoggingConfig",
              json_pack("{ssss+}", "LogFormat", "Text", "LogGroup",
                        "/aws/lambda/", f->res.name));
  if (json_object_size(c->vars))
    aev__fn_put(&o, "Environment", json_pack("{sO}", "Variables", c->vars));
  pthread_mutex_lock(&f->mu);
  if (f->econf.dlq)
    aev__fn_put(&o, "DeadLetterConfig", json_pack("{ss}", "TargetArn", f->econf.dlq));
  pthread_mutex_unlock(&f->mu);
  return o;
}

char *aev__function_role(aev_broker *b, const char *name_or_arn) {
  aev_function *f;
  const char *qualifier;
  char buf[512], *role = NULL;
  if (aev__function_find_qualified(b, name_or_arn, &f, &qualifier, buf, sizeof buf)) return NULL;
  aev__fconf *c;
  if (aev__fn_conf_of(f, qualifier, &c) == AEV_OK) {
    const char *r = json_string_value(json_object_get(c->doc, "Role"));
    role = r ? strdup(r) : NULL;
    aev__fconf_unref(c);
  }
  aev_function_release(f);
  return role;
}
