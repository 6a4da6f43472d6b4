/* Lambda layers: versions numbered from 1 per layer name, never reused
 * (a layer whose versions were all deleted goes on from the last number:
 * recorded, test_layer_lifecycle), their answers as PublishLayerVersion
 * gives them, and their resource policies. Kept per broker in a hidden
 * registry entry: {NAME: {"last": N, "versions": {"N": VERSION}}}, a
 * VERSION being the answer plus "#policy" (statements), "#revision" and
 * "#unzipped" (its package's uncompressed bytes, for the functions' limit). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/digest.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/layers.h"

#define LAYERS_NAME "#layers"
#define LAYERS_PER_FUNCTION 5 /* Lambda's quota: five layers a function */

typedef struct layers {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  json_t *by_name;
} layers;

static void layers_init(aev__resource *r) {
  layers *l = (layers *)r;
  pthread_mutex_init(&l->mu, NULL);
  l->by_name = NULL;
}

static void layers_destroy(aev__resource *r) {
  layers *l = (layers *)r;
  json_decref(l->by_name);
  pthread_mutex_destroy(&l->mu);
  free(l);
}

/* The store (new reference), locked; NULL when absent (create unset) or
 * out of memory (rc says which). */
static layers *lock_store(aev_broker *b, int create, int *rc) {
  aev__resource *r = NULL;
  *rc = aev__fn_hidden_entry(b, LAYERS_NAME, sizeof(layers), create, layers_init,
                             layers_destroy, NULL, &r);
  layers *l = (layers *)r;
  if (!l) return NULL;
  pthread_mutex_lock(&l->mu);
  if (!l->by_name && !(l->by_name = json_object())) {
    pthread_mutex_unlock(&l->mu);
    aev__resource_unref(&l->res);
    *rc = aev__nomem();
    return NULL;
  }
  return l;
}

static void unlock_store(layers *l) {
  pthread_mutex_unlock(&l->mu);
  aev__resource_unref(&l->res);
}

/* NAME of a layer named by name or by its ARN
 * (arn:aws:lambda:REGION:ACCOUNT:layer:NAME). */
static const char *bare_name(const char *name) {
  const char *p = strstr(name, ":layer:");
  return p && strncmp(name, "arn:", 4) == 0 ? p + 7 : name;
}

static void layer_arn(aev_broker *b, const char *name, char *out, size_t size) {
  snprintf(out, size, "arn:aws:lambda:%s:%s:layer:%s", aev_broker_region(b),
           aev_broker_account(b), name);
}

/* A copy of version v for an answer: without what is kept for inside. */
static json_t *shown(json_t *v) {
  json_t *o = json_deep_copy(v);
  json_object_del(o, "#policy");
  json_object_del(o, "#revision");
  json_object_del(o, "#unzipped");
  return o;
}

/* The stored version (borrowed; store locked), or NULL. */
static json_t *find(layers *l, const char *name, int64_t v) {
  char key[24];
  snprintf(key, sizeof key, "%" PRId64, v);
  return json_object_get(json_object_get(json_object_get(l->by_name, bare_name(name)), "versions"),
                         key);
}

/* Lambda's answer for a layer version that does not exist (GetLayerVersion). */
static int no_such_version(void) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The resource you requested does not exist.");
}

/* The policy actions' answer for a layer version that does not exist. */
static int version_missing(aev_broker *b, const char *name, int64_t v) {
  char arn[512];
  layer_arn(b, bare_name(name), arn, sizeof arn);
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Layer version %s:%" PRId64 " does not exist.", arn, v);
}

/* Lambda answers a Location, a presigned URL of its own bucket; no package
 * is kept here, so this one names the package (by its digest) but serves
 * nothing. */
static json_t *content_json(aev_broker *b, const char *name, const aev__fcode *c) {
  char hex[65], url[512];
  aev__sha256_hex(c->sha256, strlen(c->sha256), hex);
  const char *region = aev_broker_region(b);
  snprintf(url, sizeof url, "https://awslambda-%s-layers.s3.%s.amazonaws.com/snapshots/%s/%s-%.36s",
           region, region, aev_broker_account(b), name, hex);
  return json_pack("{sssIss}", "CodeSha256", c->sha256, "CodeSize", (json_int_t)c->size,
                   "Location", url);
}

int aev__layer_publish(aev_broker *b, json_t *req, json_t **out) {
  const char *name = bare_name(json_string_value(json_object_get(req, "LayerName")));
  aev__fcode code;
  int rc = aev__fn_code_parse(json_object_get(req, "Content"), 0, 0, "PublishLayerVersion", &code);
  if (rc != AEV_OK) return rc;
  char arn[512], when[40];
  layer_arn(b, name, arn, sizeof arn);
  aev__fn_iso_time(aev__clock_now_ms(aev__broker_clock(b)), when, sizeof when, 0);
  json_t *v = json_pack("{sosssssosssI}", "Content", content_json(b, name, &code), "LayerArn", arn,
                        "CreatedDate", when, "Description", json_string(""), "#revision", "",
                        "#unzipped", (json_int_t)code.unzipped);
  aev__fn_code_free(&code);
  static const char *const copied[] = {"Description", "CompatibleRuntimes",
                                       "CompatibleArchitectures", "LicenseInfo"};
  for (size_t i = 0; v && i < sizeof copied / sizeof *copied; i++) {
    json_t *m = json_object_get(req, copied[i]);
    if (m && !json_is_null(m) && json_object_set(v, copied[i], m)) json_decref(v), v = NULL;
  }
  layers *l = v ? lock_store(b, 1, &rc) : NULL;
  if (!l) {
    json_decref(v);
    return v ? rc : aev__nomem();
  }
  json_t *layer = json_object_get(l->by_name, name);
  if (!layer && !json_object_set_new(l->by_name, name, json_pack("{sis{}}", "last", 0, "versions")))
    layer = json_object_get(l->by_name, name);
  const int64_t n = json_integer_value(json_object_get(layer, "last")) + 1;
  char key[24], varn[560];
  snprintf(key, sizeof key, "%" PRId64, n);
  snprintf(varn, sizeof varn, "%s:%" PRId64, arn, n);
  aev__fn_put(&v, "Version", json_integer(n));
  aev__fn_put(&v, "LayerVersionArn", json_string(varn));
  rc = layer && v && !json_object_set(json_object_get(layer, "versions"), key, v) ? AEV_OK
                                                                                   : aev__nomem();
  if (rc == AEV_OK) json_object_set_new(layer, "last", json_integer(n));
  *out = rc == AEV_OK ? shown(v) : NULL;
  unlock_store(l);
  json_decref(v);
  return rc != AEV_OK ? rc : *out ? AEV_OK : aev__nomem();
}

int aev__layer_get(aev_broker *b, const char *name, int64_t v, json_t **out) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return rc == AEV_OK ? no_such_version() : rc;
  json_t *found = find(l, name, v);
  *out = found ? shown(found) : NULL;
  unlock_store(l);
  if (!found) return no_such_version();
  return *out ? AEV_OK : aev__nomem();
}

int aev__layer_delete(aev_broker *b, const char *name, int64_t v) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return rc;
  char key[24];
  snprintf(key, sizeof key, "%" PRId64, v);
  json_object_del(json_object_get(json_object_get(l->by_name, bare_name(name)), "versions"), key);
  unlock_store(l);
  return AEV_OK;
}

/* 1 when list (an array of strings, or absent: any) holds want (NULL: any). */
static int compatible(json_t *list, const char *want) {
  if (!want) return 1;
  size_t i;
  json_t *s;
  json_array_foreach(list, i, s) {
    if (strcmp(json_string_value(s), want) == 0) return 1;
  }
  return 0;
}

/* ListLayerVersions' LayerVersionsListItem: the version without Content
 * and LayerArn. */
static json_t *list_item(json_t *v) {
  json_t *o = shown(v);
  json_object_del(o, "Content");
  json_object_del(o, "LayerArn");
  return o;
}

/* The newest version of layer matching runtime and arch (borrowed), or NULL. */
static json_t *latest_matching(json_t *layer, const char *runtime, const char *arch,
                               int64_t below) {
  json_t *best = NULL;
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(layer, "versions"), k, v) {
    const int64_t n = json_integer_value(json_object_get(v, "Version"));
    if (n >= below || !compatible(json_object_get(v, "CompatibleRuntimes"), runtime) ||
        !compatible(json_object_get(v, "CompatibleArchitectures"), arch))
      continue;
    if (!best || n > json_integer_value(json_object_get(best, "Version"))) best = v;
  }
  return best;
}

/* ListLayerVersions: newest first; the marker is the last version given. */
static json_t *list_versions(json_t *layer, const char *runtime, const char *arch,
                             const char *marker, int64_t max) {
  json_t *items = json_array(), *o = json_object();
  int64_t below = marker ? strtoll(marker, NULL, 10) : INT64_MAX;
  json_t *v;
  while ((v = latest_matching(layer, runtime, arch, below))) {
    below = json_integer_value(json_object_get(v, "Version"));
    if ((int64_t)json_array_size(items) == max) {
      char next[24];
      snprintf(next, sizeof next, "%" PRId64, below + 1);
      aev__fn_put(&o, "NextMarker", json_string(next));
      break;
    }
    aev__fn_put(&items, NULL, list_item(v));
  }
  aev__fn_put(&o, "LayerVersions", items);
  return o;
}

/* ListLayers: by name; the marker is the last name given. */
static json_t *list_layers(aev_broker *b, json_t *by_name, const char *runtime, const char *arch,
                           const char *marker, int64_t max) {
  json_t *items = json_array(), *o = json_object();
  const char *prev = marker;
  for (;;) {
    const char *k, *pick = NULL;
    json_t *layer, *v = NULL;
    json_object_foreach(by_name, k, layer) {
      if ((prev && strcmp(k, prev) <= 0) || (pick && strcmp(k, pick) >= 0)) continue;
      if (latest_matching(layer, runtime, arch, INT64_MAX)) pick = k;
    }
    if (!pick) break;
    if ((int64_t)json_array_size(items) == max) {
      aev__fn_put(&o, "NextMarker", json_string(prev));
      break;
    }
    v = latest_matching(json_object_get(by_name, pick), runtime, arch, INT64_MAX);
    char arn[512];
    layer_arn(b, pick, arn, sizeof arn);
    aev__fn_put(&items, NULL, json_pack("{ssssso}", "LayerName", pick, "LayerArn", arn,
                                        "LatestMatchingVersion", list_item(v)));
    prev = pick;
  }
  aev__fn_put(&o, "Layers", items);
  return o;
}

int aev__layer_list(aev_broker *b, const char *name, const char *runtime, const char *arch,
                    const char *marker, int64_t max, json_t **out) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l && rc != AEV_OK) return rc;
  json_t *by_name = l ? l->by_name : NULL;
  *out = name ? list_versions(json_object_get(by_name, bare_name(name)), runtime, arch, marker, max)
              : list_layers(b, by_name, runtime, arch, marker, max);
  if (l) unlock_store(l);
  return *out ? AEV_OK : aev__nomem();
}

/* Lambda's precondition wording for a layer version policy. */
static int stale_policy(void) {
  return aev__fail(AEV_ERR_STATE, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the "
                   "GetLayerPolicy API to retrieve the latest Revision Id");
}

static int revision_ok(json_t *v, const char *revision) {
  return !revision || strcmp(revision, json_string_value(json_object_get(v, "#revision"))) == 0;
}

static json_t *policy_doc(json_t *statements) {
  return json_pack("{sssssO}", "Version", "2012-10-17", "Id", "default", "Statement", statements);
}

/* Where policy (NULL: none yet) holds the statement sid, or its size when
 * it holds none. */
static size_t statement_index(json_t *policy, const char *sid) {
  size_t i;
  json_t *s;
  json_array_foreach(policy, i, s) {
    if (strcmp(json_string_value(json_object_get(s, "Sid")), sid) == 0) break;
  }
  return i;
}

int aev__layer_policy_add(aev_broker *b, const char *name, int64_t v, const char *sid,
                          const char *principal, const char *org_id, const char *revision,
                          json_t **out) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return rc == AEV_OK ? version_missing(b, name, v) : rc;
  json_t *ver = find(l, name, v), *policy = json_object_get(ver, "#policy");
  const size_t i = statement_index(policy, sid);
  if (!ver) rc = version_missing(b, name, v);
  else if (!revision_ok(ver, revision)) rc = stale_policy();
  else if (policy && i < json_array_size(policy))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "The statement id (%s) provided already exists. Please provide a new "
                   "statement id, or remove the existing statement.",
                   sid);
  json_t *st = NULL;
  char uuid[37], *text = NULL;
  if (rc == AEV_OK) {
    st = json_pack("{ssssssssss}", "Sid", sid, "Effect", "Allow", "Principal", principal, "Action",
                   "lambda:GetLayerVersion", "Resource",
                   json_string_value(json_object_get(ver, "LayerVersionArn")));
    if (st && org_id)
      aev__fn_put(&st, "Condition",
                  json_pack("{s{ss}}", "StringEquals", "aws:PrincipalOrgID", org_id));
    text = st ? aev__json_dumps(st, JSON_COMPACT) : NULL;
    if (!policy && ver) json_object_set_new(ver, "#policy", policy = json_array());
    aev__broker_uuid(b, uuid);
    rc = text && policy && !json_array_append(policy, st) ? AEV_OK : aev__nomem();
  }
  if (rc == AEV_OK) {
    json_object_set_new(ver, "#revision", json_string(uuid));
    *out = json_pack("{ssss}", "Statement", text, "RevisionId", uuid);
  }
  unlock_store(l);
  json_decref(st);
  free(text);
  return rc != AEV_OK ? rc : *out ? AEV_OK : aev__nomem();
}

int aev__layer_policy_remove(aev_broker *b, const char *name, int64_t v, const char *sid,
                             const char *revision) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return rc == AEV_OK ? version_missing(b, name, v) : rc;
  json_t *ver = find(l, name, v), *policy = json_object_get(ver, "#policy");
  const size_t i = statement_index(policy, sid);
  if (!ver) rc = version_missing(b, name, v);
  else if (!policy || i == json_array_size(policy))
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Statement %s is not found in resource policy.", sid);
  else if (!revision_ok(ver, revision)) rc = stale_policy();
  char uuid[37];
  if (rc == AEV_OK) {
    aev__broker_uuid(b, uuid);
    json_array_remove(policy, i);
    json_object_set_new(ver, "#revision", json_string(uuid));
  }
  unlock_store(l);
  return rc;
}

int aev__layer_policy_get(aev_broker *b, const char *name, int64_t v, json_t **out) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return rc == AEV_OK ? version_missing(b, name, v) : rc;
  json_t *ver = find(l, name, v), *policy = json_object_get(ver, "#policy");
  char *text = NULL;
  if (!ver) rc = version_missing(b, name, v);
  else if (!json_array_size(policy))
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "No policy is associated with the given resource.");
  else {
    json_t *doc = policy_doc(policy);
    text = doc ? aev__json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    *out = text ? json_pack("{ssss}", "Policy", text, "RevisionId",
                            json_string_value(json_object_get(ver, "#revision")))
                : NULL;
    if (!*out) rc = aev__nomem();
  }
  unlock_store(l);
  free(text);
  return rc;
}

/* A layer version ARN as the Layers member's pattern allows:
 * arn:PARTITION:lambda:REGION:ACCOUNT(12 digits):layer:NAME:VERSION, at most
 * 140 characters. Its region, name and number go to the out parameters. */
static int layer_version_arn(const char *arn, char region[64], char name[141], int64_t *v) {
  const size_t n = strlen(arn);
  if (n < 1 || n > 140 || strncmp(arn, "arn:", 4)) return 0;
  const char *p = arn + 4, *part_end = strchr(p, ':');
  if (!part_end || part_end == p || strncmp(part_end, ":lambda:", 8)) return 0;
  p = part_end + 8;
  size_t rl = strcspn(p, ":");
  if (!rl || rl >= 64 || p[rl] != ':') return 0;
  snprintf(region, 64, "%.*s", (int)rl, p);
  p += rl + 1;
  if (strspn(p, "0123456789") != 12 || strncmp(p + 12, ":layer:", 7)) return 0;
  p += 19;
  size_t nl = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
  if (!nl || p[nl] != ':' || !p[nl + 1] || strspn(p + nl + 1, "0123456789") != strlen(p + nl + 1))
    return 0;
  snprintf(name, 141, "%.*s", (int)nl, p);
  *v = strtoll(p + nl + 1, NULL, 10);
  return 1;
}

#define LAYERS_PATTERN                                                                \
  "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:" \
  "[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"

/* Checks one entry (store locked); *size is its version's CodeSize,
 * *unzipped what its package unzips to. */
static int resolve_one(aev_broker *b, layers *l, json_t *list, size_t i, json_int_t *size,
                       int64_t *unzipped) {
  const char *arn = json_string_value(json_array_get(list, i));
  char region[64], name[141], other_region[64], other[141];
  int64_t v, w;
  if (!arn || !layer_version_arn(arn, region, name, &v)) {
    /* The list as the front end shows it: [a, b] (recorded:
     * test_layer_function_exceptions, add_layer_arn_without_version_exc). */
    char shown[2048] = "[";
    for (size_t j = 0; j < json_array_size(list); j++) {
      const char *s = json_string_value(json_array_get(list, j));
      snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", j ? ", " : "",
               s ? s : "null");
    }
    snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "]");
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'layers' failed to satisfy "
                     "constraint: Member must satisfy constraint: [Member must have length less "
                     "than or equal to 140, Member must have length greater than or equal to 1, "
                     "Member must satisfy regular expression pattern: " LAYERS_PATTERN
                     ", Member must not be null]",
                     shown);
  }
  if (strcmp(region, aev_broker_region(b)))
    return aev__fn_invalid("Layers are not in the same region as the function. Layers are "
                           "expected to be in region %s.",
                           aev_broker_region(b));
  /* One version of a layer at a time, the same version twice included;
   * the first pair is named (recorded: test_layer_function_exceptions). */
  for (size_t j = 0; j < i; j++) {
    const char *prev = json_string_value(json_array_get(list, j));
    if (layer_version_arn(prev, other_region, other, &w) && strcmp(other, name) == 0)
      return aev__fn_invalid("Two different versions of the same layer are not allowed to be "
                             "referenced in the same function. %s and %s are versions of the "
                             "same layer.",
                             prev, arn);
  }
  json_t *found = l ? find(l, name, v) : NULL;
  if (!found) return aev__fn_invalid("Layer version %s does not exist.", arn);
  *size = json_integer_value(json_object_get(json_object_get(found, "Content"), "CodeSize"));
  *unzipped = json_integer_value(json_object_get(found, "#unzipped"));
  return AEV_OK;
}

int aev__layer_resolve(aev_broker *b, json_t *conf, int64_t *unzipped) {
  json_t *list = json_object_get(conf, "Layers");
  if (!list || json_is_null(list)) return AEV_OK;
  if (!json_is_array(list)) return aev__fn_invalid("Layers must be a list of layer version ARNs.");
  if (json_array_size(list) > LAYERS_PER_FUNCTION)
    return aev__fn_invalid("Cannot reference more than %d layers.", LAYERS_PER_FUNCTION);
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l && rc != AEV_OK) return rc;
  json_t *shown = json_array();
  *unzipped = 0;
  for (size_t i = 0; rc == AEV_OK && i < json_array_size(list); i++) {
    json_int_t size = 0;
    int64_t one = 0;
    rc = resolve_one(b, l, list, i, &size, &one);
    *unzipped += one;
    if (rc == AEV_OK)
      aev__fn_put(&shown, NULL,
                  json_pack("{sOsI}", "Arn", json_array_get(list, i), "CodeSize", size));
  }
  if (l) unlock_store(l);
  if (rc == AEV_OK && (!shown || json_object_set(conf, "Layers", shown))) rc = aev__nomem();
  json_decref(shown);
  return rc;
}

int64_t aev__layers_code_size(aev_broker *b) {
  int rc;
  layers *l = lock_store(b, 0, &rc);
  if (!l) return 0;
  int64_t total = 0;
  const char *name, *n;
  json_t *layer, *v;
  json_object_foreach(l->by_name, name, layer) {
    json_object_foreach(json_object_get(layer, "versions"), n, v) {
      total += json_integer_value(json_object_get(json_object_get(v, "Content"), "CodeSize"));
    }
  }
  unlock_store(l);
  return total;
}
