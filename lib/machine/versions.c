/* State machine versions: numbered, immutable snapshots of a machine's
 * revision (PublishStateMachineVersion, ListStateMachineVersions,
 * DeleteStateMachineVersion, DescribeStateMachine and StartExecution of a
 * version ARN), as AWS's "State machine versions in Step Functions
 * workflows" describes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "machine/machine_int.h"

static void version_free(m_version *v) {
  aev__def_unref(v->def);
  aev__rev_unref(v->rev);
  free(v->arn);
  free(v->description);
  free(v);
}

void aev__machine_versions_free(aev_machine *m) {
  for (size_t i = 0; i < m->nversions; i++) version_free(m->versions[i]);
  free(m->versions);
  m->versions = NULL;
  m->nversions = m->capversions = 0;
}

/* The version numbered n, or NULL (under m->mu). */
static m_version *version_find(aev_machine *m, uint32_t n) {
  for (size_t i = 0; i < m->nversions; i++)
    if (m->versions[i]->number == n) return m->versions[i];
  return NULL;
}

/* A qualifier of digits only names a version (AWS: "a combination of state
 * machine ARN and the version number separated by a colon"); any other
 * names an alias. */
static int version_number(const char *q, uint32_t *n) {
  uint64_t v = 0;
  if (!*q) return 0;
  for (const char *p = q; *p; p++) {
    if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX) return 0;
  }
  *n = (uint32_t)v;
  return 1;
}

int aev__machine_target(aev_broker *b, const char *arn, aev_machine **m, uint32_t *version,
                        const char **alias) {
  *version = 0;
  if (alias) *alias = NULL;
  const char *kind = arn && !strncmp(arn, "arn:", 4) ? strstr(arn, ":stateMachine:") : NULL;
  const char *qualifier = kind ? strchr(kind + 14, ':') : NULL;
  if (!qualifier) return aev_machine_get(b, arn, m);
  if (!version_number(qualifier + 1, version)) {
    if (!alias || !qualifier[1]) return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn);
    *alias = qualifier + 1;
  } else if (*version == 0) {
    return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn);
  }
  char base[2048];
  if ((size_t)(qualifier - arn) >= sizeof base) return aev__machine_not_found(arn);
  snprintf(base, sizeof base, "%.*s", (int)(qualifier - arn), arn);
  aev__resource *r = aev__registry_find(b, AEV__KIND_MACHINE, base);
  if (!r) return aev__machine_not_found(arn);
  *m = (aev_machine *)r;
  return AEV_OK;
}

int aev_machine_start_arn(aev_broker *b, const char *arn, const char *name, const char *input, size_t len,
                          aev_execution **out) {
  if (!b || !arn || !out) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  aev_machine *m;
  uint32_t version;
  const char *alias;
  int rc = aev__machine_target(b, arn, &m, &version, &alias);
  if (!rc && alias && (rc = aev__alias_route(m, alias, &version))) aev_machine_release(m);
  if (rc) return rc;
  rc = aev__machine_start_version(m, version, alias ? arn : NULL, name, input, len, out);
  aev_machine_release(m);
  return rc;
}

/* The revision id PublishStateMachineVersion compares with: AWS names the
 * revision CreateStateMachine made "INITIAL". */
static const char *revision_name(const m_rev *r) { return r->id[0] ? r->id : "INITIAL"; }

static json_t *published_json(const m_version *v) {
  return json_pack("{s:s,s:f}", "stateMachineVersionArn", v->arn, "creationDate",
                   (double)v->created_ms / 1000.0);
}

/* Under m->mu: a new version of m's current revision, appended. */
static m_version *version_add(aev_machine *m, const char *description, int64_t now) {
  if (m->nversions == m->capversions) {
    size_t cap = m->capversions ? m->capversions * 2 : 4;
    m_version **l = realloc(m->versions, cap * sizeof *l);
    if (!l) return NULL;
    m->versions = l;
    m->capversions = cap;
  }
  m_version *v = calloc(1, sizeof *v);
  size_t n = strlen(m->res.arn) + 12;
  char *arn = v ? malloc(n) : NULL;
  char *desc = description && arn ? strdup(description) : NULL;
  if (!arn || (description && !desc)) {
    free(desc);
    free(arn);
    free(v);
    return NULL;
  }
  v->number = m->published + 1;
  snprintf(arn, n, "%s:%u", m->res.arn, (unsigned)v->number);
  v->arn = arn;
  v->description = desc;
  v->def = aev__def_ref(m->def);
  v->rev = aev__rev_ref(m->rev);
  v->created_ms = now;
  m->published = v->number;
  m->versions[m->nversions++] = v;
  return v;
}

/* The stale revisionId's wording is AWS's, as LocalStack's recorded
 * test_publish_state_machine_version shows it; the description conflict's is
 * not documented. */
static int publish_locked(aev_machine *m, const char *revision_id, const char *description, int64_t now,
                          json_t **out) {
  if (m->res.deleted) return aev__machine_gone(m);
  if (revision_id && strcmp(revision_id, revision_name(m->rev)))
    return aev__fail(AEV_ERR_STATE, "ConflictException",
                     "Failed to publish the State Machine version for revision %s. The current State "
                     "Machine revision is %s.",
                     revision_id, revision_name(m->rev));
  /* Idempotent: the version already holding the current revision answers
   * again, when its description is the same. */
  for (size_t i = 0; i < m->nversions; i++) {
    m_version *v = m->versions[i];
    if (v->rev != m->rev) continue;
    int same = !description == !v->description && (!description || !strcmp(description, v->description));
    if (!same)
      return aev__fail(AEV_ERR_EXISTS, "ConflictException",
                       "Failed to publish the State Machine version: version '%s' holds the current "
                       "revision with a different description",
                       v->arn);
    *out = published_json(v);
    return *out ? AEV_OK : aev__nomem();
  }
  if (m->nversions >= M_MAX_VERSIONS)
    return aev__fail(AEV_ERR_LIMIT, "ServiceQuotaExceededException",
                     "Maximum number of versions (%d) reached for the State Machine '%s'", M_MAX_VERSIONS,
                     m->res.arn);
  json_t *v = NULL;
  m_version *made = version_add(m, description, now);
  if (made && !(v = published_json(made))) {
    m->versions[--m->nversions] = NULL;
    m->published--;
    version_free(made);
  }
  *out = v;
  return v ? AEV_OK : aev__nomem();
}

int aev__version_publish(aev_machine *m, const char *revision_id, const char *description,
                         const char *description_path, json_t **out) {
  int rc = description ? aev__check_length(description, description_path, 0, 256) : AEV_OK;
  if (!rc && revision_id) rc = aev__check_length(revision_id, "revisionId", 1, 256);
  if (rc) return rc;
  int64_t now = aev__clock_now_ms(aev__broker_clock(m->res.broker));
  pthread_mutex_lock(&m->mu);
  rc = publish_locked(m, revision_id, description, now, out);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* StateMachineDoesNotExist for version n of m. */
static int no_version(aev_machine *m, uint32_t n) {
  char arn[2048];
  snprintf(arn, sizeof arn, "%s:%u", m->res.arn, (unsigned)n);
  return aev__machine_not_found(arn);
}

int aev__version_take(aev_machine *m, uint32_t n, m_def **def, m_rev **rev, char **arn) {
  char *copy = NULL;
  pthread_mutex_lock(&m->mu);
  m_version *v = n ? version_find(m, n) : NULL;
  int rc = n && !v ? no_version(m, n) : v && !(copy = strdup(v->arn)) ? aev__nomem() : AEV_OK;
  if (!rc) {
    *def = aev__def_ref(v ? v->def : m->def);
    *rev = aev__rev_ref(v ? v->rev : m->rev);
    *arn = copy;
  }
  pthread_mutex_unlock(&m->mu);
  return rc;
}

int aev__version_check(aev_machine *m, uint32_t n) {
  pthread_mutex_lock(&m->mu);
  int rc = version_find(m, n) ? AEV_OK : no_version(m, n);
  pthread_mutex_unlock(&m->mu);
  return rc;
}

/* AWS answers a version as the machine, with the version's ARN, creation
 * date and description. */
static json_t *version_json(const aev_machine *m, const m_version *v) {
  json_t *d = aev__rev_json(v->rev);
  if (d && (json_object_set_new(d, "stateMachineArn", json_string(v->arn)) ||
            json_object_set_new(d, "name", json_string(m->res.name)) ||
            json_object_set_new(d, "status", json_string("ACTIVE")) ||
            json_object_set_new(d, "type", json_string(m->type == AEV_MACHINE_EXPRESS ? "EXPRESS" : "STANDARD")) ||
            json_object_set_new(d, "creationDate", json_real((double)v->created_ms / 1000.0)) ||
            (v->description && json_object_set_new(d, "description", json_string(v->description))))) {
    json_decref(d);
    return NULL;
  }
  return d;
}

int aev__version_describe(aev_machine *m, uint32_t n, json_t **out) {
  pthread_mutex_lock(&m->mu);
  m_version *v = version_find(m, n);
  json_t *d = v ? version_json(m, v) : NULL;
  int rc = !v ? no_version(m, n) : !d ? aev__nomem() : AEV_OK;
  pthread_mutex_unlock(&m->mu);
  if (!rc) *out = d;
  return rc;
}

json_t *aev__version_items(aev_machine *m) {
  json_t *arr = json_array();
  pthread_mutex_lock(&m->mu);
  for (size_t i = m->nversions; arr && i-- > 0;)
    if (json_array_append_new(arr, published_json(m->versions[i]))) {
      json_decref(arr);
      arr = NULL;
    }
  pthread_mutex_unlock(&m->mu);
  return arr;
}

int aev__version_delete(aev_machine *m, uint32_t n) {
  m_version *gone = NULL;
  pthread_mutex_lock(&m->mu);
  int rc = aev__alias_holding(m, n);
  for (size_t i = 0; !rc && i < m->nversions && !gone; i++) {
    if (m->versions[i]->number != n) continue;
    gone = m->versions[i];
    memmove(&m->versions[i], &m->versions[i + 1], (m->nversions - i - 1) * sizeof *m->versions);
    m->nversions--;
  }
  pthread_mutex_unlock(&m->mu);
  if (gone) version_free(gone);
  return rc;
}

int aev__machine_type_of(aev_broker *b, const char *arn, int *type) {
  aev_machine *m;
  uint32_t version;
  const char *alias;
  int rc = aev__machine_target(b, arn, &m, &version, &alias);
  if (rc) return rc;
  if (alias) rc = aev__alias_route(m, alias, NULL);
  else if (version) rc = aev__version_check(m, version);
  /* Versions and aliases run the machine's type, which never changes. */
  if (!rc) *type = m->type;
  aev_machine_release(m);
  return rc;
}
