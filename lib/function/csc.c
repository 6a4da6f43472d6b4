/* Lambda code signing configurations: kept per broker in a hidden registry
 * entry, {ARN: CONFIG} in the order they were made, CONFIG being the
 * CodeSigningConfig Lambda answers, and their tags ({ARN: {key: value}});
 * the functions that use one, and what
 * a deployment to such a function meets (Lambda's "Using code signing to
 * verify code integrity" guide). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/csc.h"

#define CSC_NAME "#code-signing-configs"
#define CSC_ARN_MAX 200
#define CSC_ID_HEX 17
#define CSC_ARN_PATTERN                                                                       \
  "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-" \
  "config:csc-[a-z0-9]{17}"

typedef struct csc_store {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  json_t *by_arn;
  json_t *tags; /* NULL until the first tag */
} csc_store;

static void store_init(aev__resource *r) {
  csc_store *s = (csc_store *)r;
  pthread_mutex_init(&s->mu, NULL);
  s->by_arn = NULL;
  s->tags = NULL;
}

static void store_destroy(aev__resource *r) {
  csc_store *s = (csc_store *)r;
  json_decref(s->by_arn);
  json_decref(s->tags);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* The store (new reference), locked; NULL when absent (create unset) or
 * out of memory (rc says which). */
static csc_store *lock_store(aev_broker *b, int create, int *rc) {
  aev__resource *r = NULL;
  *rc = aev__fn_hidden_entry(b, CSC_NAME, sizeof(csc_store), create, store_init, store_destroy,
                             NULL, &r);
  csc_store *s = (csc_store *)r;
  if (!s) return NULL;
  pthread_mutex_lock(&s->mu);
  if (!s->by_arn && !(s->by_arn = json_object())) {
    pthread_mutex_unlock(&s->mu);
    aev__resource_unref(&s->res);
    *rc = aev__nomem();
    return NULL;
  }
  return s;
}

static void unlock_store(csc_store *s) {
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
}

/* The stored configuration (borrowed; store locked, s may be NULL), or NULL. */
static json_t *find(csc_store *s, const char *arn) {
  return s ? json_object_get(s->by_arn, arn) : NULL;
}

/* Recorded (test_code_signing_not_found_excs): Get, Update, Delete and
 * ListFunctionsByCodeSigningConfig name a missing configuration so. */
static int no_such_config(const char *arn) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The Lambda code signing configuration %s can not be found.", arn);
}

/* Recorded (test_code_signing_not_found_excs): what a function is refused
 * when the configuration it is to use does not exist. */
static int config_not_found(const char *arn) {
  return aev__fail(AEV_ERR_NOT_FOUND, "CodeSigningConfigNotFoundException",
                   "The code signing configuration cannot be found. Check that the provided "
                   "configuration is not deleted: %s.",
                   arn);
}

int aev__csc_arn_check(const char *arn) {
  const size_t n = strlen(arn);
  if (n > CSC_ARN_MAX) return aev__fail_length(arn, "codeSigningConfigArn", n, 0, CSC_ARN_MAX);
  /* arn:aws[...]:lambda:REGION:ACCOUNT(12 digits):code-signing-config:csc-ID */
  const char *p = strncmp(arn, "arn:", 4) == 0 ? arn + 4 : NULL;
  if (p && strncmp(p, "aws", 3) == 0) p += 3 + strspn(p + 3, "abcdefghijklmnopqrstuvwxyz"
                                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ-");
  p = p && strncmp(p, ":lambda:", 8) == 0 ? p + 8 : NULL;
  size_t region = p ? strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") : 0;
  if (region < 6 || p[region] != ':') p = NULL;
  else p += region + 1;
  if (p && (strspn(p, "0123456789") != 12 || strncmp(p + 12, ":code-signing-config:csc-", 25)))
    p = NULL;
  if (p) p += 37;
  if (p && strlen(p) == CSC_ID_HEX &&
      strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789") == CSC_ID_HEX)
    return AEV_OK;
  return aev__fail_validation(arn, "codeSigningConfigArn",
                              "Member must satisfy regular expression pattern: " CSC_ARN_PATTERN);
}

static void now_text(aev_broker *b, char out[40]) {
  aev__fn_iso_time(aev__clock_now_ms(aev__broker_clock(b)), out, 40, 0);
}

int aev__csc_create(aev_broker *b, json_t *publishers, const char *policy,
                    const char *description, json_t *tags, json_t **out) {
  /* csc- and 17 characters of [a-z0-9], from the broker's generator so
   * that a seeded broker repeats them. */
  char uuid[AEV_UUID_LEN + 1], id[4 + CSC_ID_HEX + 1] = "csc-", arn[256], when[40];
  size_t n = 4;
  aev__broker_uuid(b, uuid);
  for (const char *c = uuid; *c && n < 4 + CSC_ID_HEX; c++)
    if (*c != '-') id[n++] = *c;
  id[n] = '\0';
  snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s:code-signing-config:%s", aev_broker_region(b),
           aev_broker_account(b), id);
  now_text(b, when);
  json_t *conf = json_pack("{sssssOs{ss}ssss}", "CodeSigningConfigId", id, "CodeSigningConfigArn",
                           arn, "AllowedPublishers", publishers, "CodeSigningPolicies",
                           "UntrustedArtifactOnDeployment", policy ? policy : "Warn",
                           "Description", description ? description : "", "LastModified", when);
  *out = conf ? json_deep_copy(conf) : NULL;
  int rc = *out ? AEV_OK : aev__nomem();
  csc_store *s = rc == AEV_OK ? lock_store(b, 1, &rc) : NULL;
  if (s) {
    if (json_object_set(s->by_arn, arn, conf)) rc = aev__nomem();
    if (rc == AEV_OK && tags && (rc = aev__fn_tags_merge_at(&s->tags, arn, tags)) != AEV_OK)
      json_object_del(s->by_arn, arn);
    unlock_store(s);
  }
  json_decref(conf);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

int aev__csc_get(aev_broker *b, const char *arn, json_t **out) {
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *conf = find(s, arn);
  *out = conf ? json_deep_copy(conf) : NULL;
  if (s) unlock_store(s);
  if (!conf) return no_such_config(arn);
  return *out ? AEV_OK : aev__nomem();
}

int aev__csc_update(aev_broker *b, const char *arn, json_t *publishers, const char *policy,
                    const char *description, json_t **out) {
  int rc;
  char when[40];
  now_text(b, when);
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *conf = find(s, arn);
  /* The next configuration is built whole before it replaces the stored
   * one, so a failure changes nothing. */
  json_t *next = conf ? json_deep_copy(conf) : NULL;
  if (next && publishers) aev__fn_put(&next, "AllowedPublishers", json_deep_copy(publishers));
  if (next && policy)
    aev__fn_put(&next, "CodeSigningPolicies",
                json_pack("{ss}", "UntrustedArtifactOnDeployment", policy));
  if (next && description) aev__fn_put(&next, "Description", json_string(description));
  if (next) aev__fn_put(&next, "LastModified", json_string(when));
  *out = next ? json_deep_copy(next) : NULL;
  rc = !conf ? no_such_config(arn) : !*out ? aev__nomem() : AEV_OK;
  if (rc == AEV_OK && json_object_set(s->by_arn, arn, next)) rc = aev__nomem();
  if (s) unlock_store(s);
  json_decref(next);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* ---- the functions that use a configuration ---- */

static const char *used_locked(aev_function *f) {
  return json_string_value(json_object_get(json_object_get(f->settings, "csc"), "Arn"));
}

int aev__csc_of(aev_function *f, char **arn) {
  pthread_mutex_lock(&f->mu);
  const char *used = used_locked(f);
  *arn = used ? strdup(used) : NULL;
  pthread_mutex_unlock(&f->mu);
  return used && !*arn ? aev__nomem() : AEV_OK;
}

/* The functions that use arn, by name: their ARNs appended to arns (may be
 * NULL: counted only), their number answered, or -1 when out of memory.
 * Takes each function's mu in turn (the store may be locked). */
static long users(aev_broker *b, const char *arn, json_t *arns) {
  aev__resource **list;
  size_t n;
  if (aev__registry_list(b, AEV__KIND_FUNCTION, NULL, &list, &n) != AEV_OK) return -1;
  long found = 0;
  for (size_t i = 0; i < n && found >= 0; i++) {
    if (aev__fn_hidden(list[i]->name)) continue;
    aev_function *f = (aev_function *)list[i];
    pthread_mutex_lock(&f->mu);
    const char *used = used_locked(f);
    const int match = used && strcmp(used, arn) == 0;
    pthread_mutex_unlock(&f->mu);
    if (!match) continue;
    found++;
    if (arns && json_array_append_new(arns, json_string(f->res.arn))) found = -1;
  }
  aev__registry_list_free(list, n);
  return found;
}

int aev__csc_delete(aev_broker *b, const char *arn) {
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  /* Lambda deletes a configuration "only if no function is using it"
   * (DeleteCodeSigningConfig); the store stays locked, so no function
   * takes it up meanwhile. */
  long in_use = find(s, arn) ? users(b, arn, NULL) : 0;
  if (!find(s, arn)) rc = no_such_config(arn);
  else if (in_use < 0) rc = aev__nomem();
  else if (in_use > 0)
    rc = aev__fail(AEV_ERR_STATE, "ResourceConflictException",
                   "The code signing configuration %s cannot be deleted: %ld function%s "
                   "use%s it. Remove it from them first (DeleteFunctionCodeSigningConfig).",
                   arn, in_use, in_use > 1 ? "s" : "", in_use > 1 ? "" : "s");
  else {
    json_object_del(s->by_arn, arn);
    json_object_del(s->tags, arn);
  }
  if (s) unlock_store(s);
  return rc;
}

int aev__csc_tags_put(aev_broker *b, const char *arn, json_t *tags) {
  int rc = aev__fn_tags_check(tags);
  csc_store *s = rc == AEV_OK ? lock_store(b, 0, &rc) : NULL;
  if (!s && rc != AEV_OK) return rc;
  rc = !find(s, arn) ? no_such_config(arn) : aev__fn_tags_merge_at(&s->tags, arn, tags);
  if (s) unlock_store(s);
  return rc;
}

int aev__csc_tags_remove(aev_broker *b, const char *arn, json_t *keys) {
  int rc = aev__fn_tag_keys_check(keys);
  csc_store *s = rc == AEV_OK ? lock_store(b, 0, &rc) : NULL;
  if (!s && rc != AEV_OK) return rc;
  if (!find(s, arn)) rc = no_such_config(arn);
  else aev__fn_tags_drop_keys(json_object_get(s->tags, arn), keys);
  if (s) unlock_store(s);
  return rc;
}

json_t *aev__csc_tags_get(aev_broker *b, const char *arn) {
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s) return rc == AEV_OK ? json_object() : NULL;
  json_t *copy = aev__fn_tags_at(s->tags, arn);
  unlock_store(s);
  return copy;
}

int aev__csc_all(aev_broker *b, json_t **out) {
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  *out = json_array();
  const char *k;
  json_t *v;
  if (s) {
    json_object_foreach(s->by_arn, k, v) { aev__fn_put(out, NULL, json_deep_copy(v)); }
    unlock_store(s);
  }
  return *out ? AEV_OK : aev__nomem();
}

int aev__csc_functions(aev_broker *b, const char *arn, json_t **out) {
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  *out = find(s, arn) ? json_array() : NULL;
  if (!find(s, arn)) rc = no_such_config(arn);
  else if (!*out || users(b, arn, *out) < 0) rc = aev__nomem();
  if (s) unlock_store(s);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* Lambda's answer for a function defined as a container image (the code
 * signing guide: "Functions defined as container images do not support
 * code signing"; the wording GetFunctionCodeSigningConfig answers, as
 * cloudquery/cq-provider-aws#230 quotes it). */
static int image_refused(void) {
  return aev__fn_invalid("Code signing is not supported for functions created with container "
                         "images.");
}

static int is_image(aev_function *f) {
  aev__fconf *c = aev__fconf_get(f);
  const int image = c->code.image_uri != NULL;
  aev__fconf_unref(c);
  return image;
}

int aev__csc_used(aev_function *f, char **arn) {
  *arn = NULL;
  if (is_image(f)) return image_refused();
  return aev__csc_of(f, arn);
}

int aev__csc_attach(aev_function *f, const char *arn) {
  if (is_image(f)) return image_refused();
  int rc;
  csc_store *s = lock_store(f->res.broker, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  if (!find(s, arn)) rc = config_not_found(arn);
  if (rc == AEV_OK) {
    pthread_mutex_lock(&f->mu);
    json_t *o = aev__fn_settings_locked(f, "csc");
    rc = !o ? aev__nomem() : aev__fn_check(f);
    if (rc == AEV_OK && json_object_set_new(o, "Arn", json_string(arn))) rc = aev__nomem();
    pthread_mutex_unlock(&f->mu);
  }
  if (s) unlock_store(s);
  return rc;
}

void aev__csc_detach(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  json_object_del(f->settings, "csc");
  pthread_mutex_unlock(&f->mu);
}

int aev__csc_deploy_check(aev_broker *b, const char *arn, const char *name, int image,
                          int package, int layers, int *warned) {
  if (warned) *warned = 0;
  if (!arn) return AEV_OK;
  if (image) return image_refused();
  int rc;
  csc_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *conf = find(s, arn);
  const char *policy = json_string_value(
      json_object_get(json_object_get(conf, "CodeSigningPolicies"), "UntrustedArtifactOnDeployment"));
  const int enforce = policy && strcmp(policy, "Enforce") == 0;
  if (s) unlock_store(s);
  if (!conf) return config_not_found(arn);
  /* Lambda checks that a package and the layers are signed by an allowed
   * profile; nothing is signed here, so Enforce blocks every package and
   * layer, in the words Lambda answers (aws/aws-cdk#29474), and Warn lets
   * them through. */
  if (enforce && (package || layers))
    return aev__fail(AEV_ERR_INVALID, "CodeVerificationFailedException",
                     "Lambda cannot deploy the function. The function or layer might be signed "
                     "using a signature that the client is not configured to accept. Check the "
                     "provided signature for %s.",
                     name);
  if (warned) *warned = package || layers;
  return AEV_OK;
}

int aev__csc_function_deploy(aev_function *f, int package, int layers, int *warned) {
  char *arn = NULL;
  int rc = aev__csc_of(f, &arn);
  if (rc == AEV_OK)
    rc = aev__csc_deploy_check(f->res.broker, arn, f->res.name, 0, package, layers, warned);
  free(arn);
  return rc;
}

int aev__csc_create_check(aev_broker *b, const char *arn, const char *name, json_t *req,
                          int *warned) {
  const char *type = json_string_value(json_object_get(req, "PackageType"));
  int rc = aev__csc_arn_check(arn);
  if (rc == AEV_OK)
    rc = aev__csc_deploy_check(b, arn, name, type && strcmp(type, "Image") == 0,
                               json_object_size(json_object_get(req, "Code")) > 0,
                               json_array_size(json_object_get(req, "Layers")) > 0, warned);
  return rc;
}

void aev__csc_warned(aev_function *f) {
  pthread_mutex_lock(&f->mu);
  f->m.signature_errors++;
  pthread_mutex_unlock(&f->mu);
}
