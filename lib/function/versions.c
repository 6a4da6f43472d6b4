/* Versions and aliases: PublishVersion freezes the current configuration
 * as version N (the handler cannot change, so the snapshot is complete);
 * an alias points at a version and may send a weight (0..1) of its
 * invocations to one additional version, drawn from the broker's seeded
 * generator so routing is deterministic under a seed. Qualifiers resolve
 * to the configuration an invocation runs with and its ExecutedVersion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/capacity.h"
#include "function/function_impl.h"

void aev__versions_free(aev_function *f) {
  for (int i = 0; i < f->nversions; i++) {
    aev__fconf_unref(f->versions[i].conf);
    free(f->versions[i].description);
  }
  free(f->versions);
  while (f->aliases) {
    aev__alias *a = f->aliases;
    f->aliases = a->next;
    free(a->description);
    free(a);
  }
}

static int digits_only(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

static int qualified_not_found(aev_function *f, const char *q) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Function not found: %s:%s", f->res.arn, q);
}

/* mu held. */
static aev__alias *alias_locked(aev_function *f, const char *name) {
  for (aev__alias *a = f->aliases; a; a = a->next)
    if (strcmp(a->name, name) == 0) return a;
  return NULL;
}

/* mu held: version n's configuration (0 = $LATEST) or NULL. */
static aev__fconf *version_conf_locked(aev_function *f, int n) {
  if (n == 0) return f->conf;
  return n <= f->nversions && !f->versions[n - 1].deleted ? f->versions[n - 1].conf : NULL;
}

static void version_name(int n, char out[16]) {
  if (n == 0) snprintf(out, 16, "$LATEST");
  else snprintf(out, 16, "%d", n);
}

/* mu held: the version qualifier names (0: $LATEST), or -1 when it names
 * none; *alias is the alias it names, or NULL. */
static int named_locked(aev_function *f, const char *qualifier,
                        aev__alias **alias) {
  *alias = NULL;
  if (!qualifier || !*qualifier || strcmp(qualifier, "$LATEST") == 0) return 0;
  if (digits_only(qualifier)) {
    int n = atoi(qualifier); /* version 0 is no version */
    return n >= 1 && version_conf_locked(f, n) ? n : -1;
  }
  *alias = alias_locked(f, qualifier);
  return *alias ? (*alias)->version : -1;
}

int aev__fn_resolve(aev_function *f, const char *qualifier, aev__fconf **conf,
                    char version[16]) {
  aev__alias *a;
  pthread_mutex_lock(&f->mu);
  int n = named_locked(f, qualifier, &a);
  if (a && a->extra && a->weight > 0) {
    /* 53 random bits as a double in [0, 1). */
    double r = (double)(aev__broker_random(f->res.broker) >> 11) /
               9007199254740992.0;
    if (r < a->weight) n = a->extra;
  }
  aev__fconf *c = n >= 0 ? version_conf_locked(f, n) : NULL;
  if (c) c->refs++;
  pthread_mutex_unlock(&f->mu);
  if (!c) return qualified_not_found(f, qualifier);
  *conf = c;
  version_name(n, version);
  return AEV_OK;
}

int aev__fn_conf_of(aev_function *f, const char *qualifier, aev__fconf **out) {
  aev__alias *a;
  pthread_mutex_lock(&f->mu);
  int n = named_locked(f, qualifier, &a);
  aev__fconf *c = n >= 0 ? version_conf_locked(f, n) : NULL;
  if (c) c->refs++;
  pthread_mutex_unlock(&f->mu);
  if (!c) return qualified_not_found(f, qualifier);
  *out = c;
  return AEV_OK;
}

int aev__function_check_qualifier(aev_function *f, const char *qualifier) {
  aev__alias *a;
  pthread_mutex_lock(&f->mu);
  int n = named_locked(f, qualifier, &a);
  pthread_mutex_unlock(&f->mu);
  return n >= 0 ? AEV_OK : qualified_not_found(f, qualifier);
}

char *aev__function_qualified_arn(const aev_function *f,
                                  const char *qualifier) {
  size_t n = strlen(f->res.arn), q = qualifier ? strlen(qualifier) : 0;
  char *arn = malloc(n + q + 2);
  if (arn) snprintf(arn, n + q + 2, "%s%s%s", f->res.arn, q ? ":" : "", q ? qualifier : "");
  return arn;
}

/* Version n as its frozen snapshot describes it (Environment included). */
static json_t *version_json(aev_function *f, int n) {
  pthread_mutex_lock(&f->mu);
  aev__version *v = &f->versions[n - 1];
  aev__fconf *c = v->conf;
  c->refs++;
  int described = v->description != NULL;
  json_t *d = described ? json_string(v->description) : NULL;
  json_t *revision = json_string(v->revision);
  pthread_mutex_unlock(&f->mu);
  json_t *o = aev__fconf_json(f, c);
  aev__fconf_unref(c);
  char arn[400], ver[16];
  snprintf(arn, sizeof arn, "%s:%d", f->res.arn, n);
  version_name(n, ver);
  /* Published without one, a version keeps the function's Description
   * (recorded: test_version_lifecycle, second_publish_response). */
  if (described) aev__fn_put(&o, "Description", d);
  aev__fn_put(&o, "RevisionId", revision);
  aev__fn_put(&o, "FunctionArn", json_string(arn));
  aev__fn_put(&o, "Version", json_string(ver));
  return o;
}

/* Lambda answers an alias with the configuration of the version it points
 * to, under the alias's ARN; "$LATEST" named explicitly is in the ARN too
 * (recorded: test_alias_lifecycle, test_publish_version_on_create). */
int aev__fn_config_of(aev_function *f, const char *qualifier, json_t **out) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  aev__alias *a = NULL;
  int n = 0;
  if (qualifier) {
    pthread_mutex_lock(&f->mu);
    n = named_locked(f, qualifier, &a);
    pthread_mutex_unlock(&f->mu);
  }
  if (n < 0) return qualified_not_found(f, qualifier);
  json_t *o = n ? version_json(f, n) : aev__function_config_json(f);
  if (qualifier) {
    char *arn = aev__function_qualified_arn(f, qualifier);
    aev__fn_put(&o, "FunctionArn", arn ? json_string(arn) : NULL);
    free(arn);
  }
  if (!o) return aev__nomem();
  *out = o;
  return AEV_OK;
}

/* Takes back version n, just published, when its answer could not be
 * made, so that PublishVersion answers out of memory with nothing
 * changed; unless something uses it already (a later version, an alias). */
static void unpublish(aev_function *f, int n, const char latest_was[37],
                      const char latest_now[37]) {
  pthread_mutex_lock(&f->mu);
  int used = f->nversions != n;
  for (aev__alias *a = f->aliases; !used && a; a = a->next)
    used = a->version == n || a->extra == n;
  aev__version v = f->versions[n - 1];
  if (!used) f->nversions = n - 1;
  /* $LATEST's RevisionId as it was, unless something changed it since. */
  if (!used && strcmp(f->revision, latest_now) == 0) memcpy(f->revision, latest_was, 37);
  pthread_mutex_unlock(&f->mu);
  if (used) return;
  aev__fconf_unref(v.conf);
  free(v.description);
}

static int same_text(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether two snapshots describe the same code and configuration (their
 * LastModified aside): an update that changed nothing, or re-uploaded the
 * same package, gives PublishVersion nothing new to publish. */
static int same_function(const aev__fconf *a, const aev__fconf *b) {
  return a == b ||
         (a->timeout == b->timeout && a->memory == b->memory && json_equal(a->doc, b->doc) &&
          json_equal(a->vars, b->vars) && !strcmp(a->code.sha256, b->code.sha256) &&
          a->code.size == b->code.size && same_text(a->code.image_uri, b->code.image_uri));
}

int aev_function_publish_version(aev_function *f, const char *description,
                                 char **json) {
  return aev__fn_publish(f, description, NULL, NULL, json);
}

int aev__fn_publish(aev_function *f, const char *description,
                    const char *revision, const char *code_sha256,
                    char **json) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) rc = aev__cap_publish_check(f);
  if (rc != AEV_OK) return rc;
  char *d = description ? strdup(description) : NULL;
  if (description && !d) return aev__nomem();
  /* The version gets its own RevisionId and $LATEST a new one (recorded:
   * test_function_revisions_version_and_alias: rev_v1 != rev2, rev3 !=
   * rev2). */
  char version_rev[37], latest_was[37], latest_now[37];
  aev__broker_uuid(f->res.broker, version_rev);
  aev__broker_uuid(f->res.broker, latest_now);
  pthread_mutex_lock(&f->mu);
  /* PublishVersion's RevisionId: only that revision of $LATEST is
   * published. */
  if (revision && strcmp(revision, f->revision)) {
    pthread_mutex_unlock(&f->mu);
    free(d);
    return aev__fn_stale_revision();
  }
  /* PublishVersion's CodeSha256: only that package is published
   * (LocalStack's provider words it so; test_publish_with_wrong_sha256). */
  if (code_sha256 && strcmp(code_sha256, f->conf->code.sha256)) {
    char latest[65];
    memcpy(latest, f->conf->code.sha256, sizeof latest);
    pthread_mutex_unlock(&f->mu);
    free(d);
    return aev__fn_invalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST "
                           "(%s). Please try again with the CodeSHA256 in $LATEST.",
                           code_sha256, latest);
  }
  /* Lambda publishes nothing new when $LATEST equals the last version:
   * neither its code nor its configuration changed (each change makes a
   * new snapshot that same_function compares). */
  int n = f->nversions;
  const aev__fconf *last = n ? version_conf_locked(f, n) : NULL;
  if (last && same_function(last, f->conf)) {
    pthread_mutex_unlock(&f->mu);
    free(d);
    return aev__fn_dump(version_json(f, n), json);
  }
  aev__version *grown =
      realloc(f->versions, (size_t)(n + 1) * sizeof *f->versions);
  if (!grown) {
    pthread_mutex_unlock(&f->mu);
    free(d);
    return aev__nomem();
  }
  f->versions = grown;
  f->versions[n] = (aev__version){.conf = f->conf, .description = d};
  memcpy(f->versions[n].revision, version_rev, sizeof version_rev);
  memcpy(latest_was, f->revision, sizeof latest_was);
  memcpy(f->revision, latest_now, sizeof latest_now);
  f->conf->refs++;
  f->nversions = n + 1;
  pthread_mutex_unlock(&f->mu);
  rc = aev__fn_dump(version_json(f, n + 1), json);
  if (rc == AEV_ERR_NOMEM) unpublish(f, n + 1, latest_was, latest_now);
  return rc;
}

/* A ListVersionsByFunction entry: AWS lists no State, LastUpdateStatus
 * and their reasons, and names $LATEST by its qualified ARN (recorded:
 * test_version_lifecycle, list_versions_result_end). */
static json_t *listed(json_t *o) {
  static const char *const states[] = {"State", "StateReason", "StateReasonCode",
                                       "LastUpdateStatus", "LastUpdateStatusReason",
                                       "LastUpdateStatusReasonCode"};
  for (size_t i = 0; o && i < sizeof states / sizeof *states; i++)
    json_object_del(o, states[i]);
  return o;
}

int aev_function_list_versions(aev_function *f, char **json) {
  json_t *latest;
  int rc = aev__fn_config_of(f, "$LATEST", &latest);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  aev__fn_put(&list, NULL, listed(latest));
  pthread_mutex_lock(&f->mu);
  int n = f->nversions;
  pthread_mutex_unlock(&f->mu);
  for (int i = 1; list && i <= n; i++) {
    pthread_mutex_lock(&f->mu);
    const int deleted = f->versions[i - 1].deleted;
    pthread_mutex_unlock(&f->mu);
    if (!deleted) aev__fn_put(&list, NULL, listed(version_json(f, i)));
  }
  return aev__fn_dump(list ? json_pack("{so}", "Versions", list) : NULL, json);
}

/* DeleteFunction with a version number deletes that version alone, and
 * its number is not given out again (Lambda as the Floci project measured
 * it, floci#2819). Lambda refuses while an alias points at it, naming the
 * aliases as Java prints a list ("Unable to delete version because the
 * following aliases reference it: [live]", as its users report it); a
 * version that does not exist counts as deleted. The version's resource
 * policy, event invoke config and provisioned concurrency go with it. */
int aev_function_delete_version(aev_function *f, int n) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (n < 1) return aev__fn_invalid("$LATEST version cannot be deleted without deleting the function.");
  char name[16], users[1024] = "";
  version_name(n, name);
  size_t used = 0;
  pthread_mutex_lock(&f->mu);
  const int exists = version_conf_locked(f, n) != NULL;
  /* Oldest first, as ListAliases lists them: the list keeps the newest
   * first, so each name found goes in front. */
  for (aev__alias *a = f->aliases; exists && a; a = a->next) {
    const size_t len = strlen(a->name), add = len + (used ? 2 : 0);
    if ((a->version != n && a->extra != n) || used + add >= sizeof users) continue;
    memmove(users + add, users, used + 1);
    memcpy(users, a->name, len);
    if (used) memcpy(users + len, ", ", 2);
    used += add;
  }
  if (exists && !used) {
    f->versions[n - 1].deleted = 1;
    aev__policy_drop_locked(f, name);
    aev__econf_drop_locked(f, name);
  }
  pthread_mutex_unlock(&f->mu);
  if (used)
    return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                     "Unable to delete version because the following aliases reference it: [%s]",
                     users);
  if (exists) aev__fn_provisioned_drop(f, name);
  return AEV_OK;
}

/* ---- aliases ---- */

static json_t *alias_json_locked(aev_function *f, aev__alias *a) {
  char arn[400], ver[16];
  snprintf(arn, sizeof arn, "%s:%s", f->res.arn, a->name);
  version_name(a->version, ver);
  /* RoutingConfig only for a weighted alias, as AWS's examples answer. */
  json_t *o = json_pack("{ssssssssss}", "AliasArn", arn, "Name", a->name,
                        "FunctionVersion", ver, "Description",
                        a->description ? a->description : "", "RevisionId",
                        a->revision);
  if (o && a->extra) {
    char extra[16];
    version_name(a->extra, extra);
    json_t *routing = json_pack("{s{sf}}", "AdditionalVersionWeights", extra, a->weight);
    aev__fn_put(&o, "RoutingConfig", routing);
  }
  return o;
}

/* Parses FunctionVersion and RoutingConfig into version / extra / weight
 * (mu held, so the versions checked stay). */
static int parse_target_locked(aev_function *f, const char *version,
                               const char *routing_json, int *n, int *extra,
                               double *weight) {
  if (version) {
    if (strcmp(version, "$LATEST") == 0) *n = 0;
    else if (digits_only(version) && atoi(version) >= 1 &&
             version_conf_locked(f, atoi(version)))
      *n = atoi(version);
    else
      return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                       "Function not found: %s:%s", f->res.arn, version);
  }
  if (!routing_json) return AEV_OK;
  json_t *r;
  if (aev__json_parse_str(routing_json, 0, &r) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  json_t *w = json_object_get(r, "AdditionalVersionWeights");
  int rc = AEV_OK;
  /* Lambda's wording (recorded: test_notfound_and_invalid_routingconfigs). */
  if (!json_is_object(r) || (w && !json_is_object(w)))
    rc = aev__fn_invalid("RoutingConfig takes AdditionalVersionWeights, a map "
                         "of a version to its weight.");
  else if (json_object_size(w) > 1)
    rc = aev__fn_invalid("Number of items in AdditionalVersionWeights cannot "
                         "be greater than 1");
  else if (json_object_size(w) && *n == 0)
    rc = aev__fn_invalid("$LATEST is not supported for an alias pointing to "
                         "more than 1 version");
  *extra = 0;
  *weight = 0;
  const char *k;
  json_t *v;
  json_object_foreach(w, k, v) {
    if (rc != AEV_OK) break;
    int m = digits_only(k) ? atoi(k) : -1;
    if (!json_is_number(v) || json_number_value(v) < 0 ||
        json_number_value(v) > 1)
      rc = aev__fn_invalid("Weights in AdditionalVersionWeights must be "
                           "between 0.0 and 1.0.");
    else if (m < 0)
      rc = aev__fn_invalid("The version %s in AdditionalVersionWeights is "
                           "not a published version ($LATEST is not "
                           "allowed).", k);
    else if (m < 1 || !version_conf_locked(f, m))
      rc = qualified_not_found(f, k);
    else if (m == *n)
      rc = aev__fn_invalid("Invalid function version %s. Function version %s "
                           "is already included in routing configuration.",
                           k, k);
    else {
      *extra = m;
      *weight = json_number_value(v);
    }
  }
  json_decref(r);
  return rc;
}

static int alias_name_ok(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > 128 || digits_only(name)) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

static void new_revision(aev_function *f, char out[37]) {
  aev__broker_uuid(f->res.broker, out);
}

int aev_function_create_alias(aev_function *f, const char *name,
                              const char *version, const char *description,
                              const char *routing_json, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  if (!alias_name_ok(name))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'name' "
                     "failed to satisfy constraint: Member must satisfy "
                     "regular expression pattern: "
                     "(?!^[0-9]+$)([a-zA-Z0-9-_]+)",
                     name ? name : "");
  aev__alias *a = calloc(1, sizeof *a + strlen(name) + 1);
  if (!a) return aev__nomem();
  strcpy(a->name, name);
  a->description = description ? strdup(description) : NULL;
  if (description && !a->description) {
    free(a);
    return aev__nomem();
  }
  new_revision(f, a->revision);
  pthread_mutex_lock(&f->mu);
  if (alias_locked(f, name))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "Alias already exists: %s:%s", f->res.arn, name);
  if (rc == AEV_OK)
    rc = parse_target_locked(f, version ? version : "", routing_json,
                             &a->version, &a->extra, &a->weight);
  /* The answer is made before the alias is listed: out of memory then
   * leaves none made. */
  char *answer = NULL;
  if (rc == AEV_OK) rc = aev__fn_dump(alias_json_locked(f, a), json ? &answer : NULL);
  if (rc == AEV_OK) {
    a->next = f->aliases;
    f->aliases = a;
  }
  pthread_mutex_unlock(&f->mu);
  if (rc != AEV_OK) {
    free(a->description);
    free(a);
    return rc;
  }
  if (json) *json = answer;
  return AEV_OK;
}

static int no_alias(aev_function *f, const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Alias not found: %s:%s", f->res.arn, name ? name : "");
}

int aev_function_update_alias(aev_function *f, const char *name,
                              const char *version, const char *routing_json,
                              char **json) {
  return aev__fn_update_alias(f, name, version, NULL, routing_json, NULL, json);
}

int aev__fn_update_alias(aev_function *f, const char *name, const char *version,
                         const char *description, const char *routing_json,
                         const char *revision, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  char *d = description ? strdup(description) : NULL;
  if (description && !d) return aev__nomem();
  pthread_mutex_lock(&f->mu);
  aev__alias *a = name ? alias_locked(f, name) : NULL;
  char *answer = NULL;
  if (!a) {
    rc = no_alias(f, name);
  } else if (revision && strcmp(revision, a->revision)) {
    rc = aev__fn_stale_revision(); /* UpdateAlias's RevisionId */
  } else {
    int n = a->version, extra = a->extra;
    double weight = a->weight;
    rc = parse_target_locked(f, version, routing_json, &n, &extra, &weight);
    if (rc == AEV_OK) {
      aev__alias was = {.version = a->version, .extra = a->extra, .weight = a->weight,
                        .description = a->description};
      memcpy(was.revision, a->revision, sizeof was.revision);
      a->version = n;
      a->extra = extra;
      a->weight = weight;
      if (d) a->description = d;
      new_revision(f, a->revision);
      rc = aev__fn_dump(alias_json_locked(f, a), json ? &answer : NULL);
      if (rc != AEV_OK) { /* no answer: the alias as it was */
        a->version = was.version;
        a->extra = was.extra;
        a->weight = was.weight;
        a->description = was.description;
        memcpy(a->revision, was.revision, sizeof was.revision);
      } else if (d) {
        d = was.description; /* the old one goes */
      }
    }
  }
  pthread_mutex_unlock(&f->mu);
  free(d);
  if (rc == AEV_OK && json) *json = answer;
  return rc;
}

int aev_function_get_alias(aev_function *f, const char *name, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__alias *a = name ? alias_locked(f, name) : NULL;
  json_t *o = a ? alias_json_locked(f, a) : NULL;
  pthread_mutex_unlock(&f->mu);
  if (a) return aev__fn_dump(o, json);
  /* GetAlias's own wording (recorded: test_notfound_and_invalid_routingconfigs). */
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Cannot find alias arn: %s:%s", f->res.arn, name ? name : "");
}

int aev_function_delete_alias(aev_function *f, const char *name) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__alias *found = NULL;
  for (aev__alias **p = &f->aliases; *p && name; p = &(*p)->next)
    if (strcmp((*p)->name, name) == 0) {
      found = *p;
      *p = found->next;
      aev__policy_drop_locked(f, name); /* its resource policy goes too */
      aev__econf_drop_locked(f, name);  /* and its event invoke config */
      aev__fn_url_drop_locked(f, name); /* and its function URL */
      break;
    }
  pthread_mutex_unlock(&f->mu);
  if (!found) return no_alias(f, name);
  aev__fn_provisioned_drop(f, name);
  free(found->description);
  free(found);
  return AEV_OK;
}

int aev_function_list_aliases(aev_function *f, char **json) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  pthread_mutex_lock(&f->mu);
  for (aev__alias *a = f->aliases; list && a; a = a->next)
    if (json_array_insert_new(list, 0, alias_json_locked(f, a))) {
      json_decref(list); /* never a list short of an alias */
      list = NULL;
    }
  pthread_mutex_unlock(&f->mu);
  return aev__fn_dump(list ? json_pack("{so}", "Aliases", list) : NULL, json);
}
