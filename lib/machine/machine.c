/* State machines as broker resources (create / get / update / delete /
 * describe / validate) and the executions they start: names and
 * idempotency, input limits, the context object, the execution timeout,
 * waiting for the end, and the Describe / StartSync response shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/exec_int.h"
#include "machine/probe.h"

/* Parses a definition (one reference) or fails with InvalidDefinition. */
static int def_load(const char *text, size_t len, int type, m_def **out) {
  json_t *diag = NULL;
  m_def *d = aev__asl_parse(text, len, type == AEV_MACHINE_EXPRESS, &diag);
  if (!d) {
    if (!diag) return aev__nomem();
    int rc = aev__asl_invalid(diag);
    json_decref(diag);
    return rc;
  }
  *out = d;
  return AEV_OK;
}

/* ---- names ---- */

/* A character AWS refuses in a name: whitespace, < > { } [ ] ? * " # % \ ^
 * | ~ ` $ & , ; : /, control characters (U+0000-001F, U+007F-009F,
 * U+FFFE-FFFF) and U+10FFFF. Surrogates (U+D800-DFFF) are malformed UTF-8,
 * which the caller refuses as it reads. */
static int name_char_refused(uint32_t cp) {
  if (cp <= 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff || cp == 0x10ffff)
    return 1;
  return cp < 0x80 && strchr("<>{}[]?*\"#%\\^|~`$&,;:/", (int)cp) != NULL;
}

/* AWS (CreateStateMachine, StartExecution, CreateActivity): 1-80
 * characters, counted as characters, not bytes, so "é" or "漢" count one.
 * The length is the API model's constraint, so AWS answers it as a
 * ValidationException (recorded: "Value '...' at 'name' failed to satisfy
 * constraint: Member must have length less than or equal to 80"); the
 * characters are Step Functions' own rule (InvalidName). */
int aev__machine_check_name(const char *name, const char *what) {
  size_t n = name ? strlen(name) : 0, chars = name ? aev__utf8_chars(name, n) : 0;
  if (chars < 1)
    return aev__fail_validation(name ? name : "", "name", "Member must have length greater than or equal to 1");
  if (chars > 80)
    return aev__fail_validation(name, "name", "Member must have length less than or equal to 80");
  uint32_t cp;
  for (size_t i = 0, k; i < n; i += k)
    if (!(k = aev__utf8_next((const unsigned char *)name + i, n - i, &cp)) || name_char_refused(cp))
      return aev__fail(AEV_ERR_INVALID, "InvalidName", "Invalid %s: '%s'", what, name);
  return AEV_OK;
}

/* Whether s is longer than max characters (not bytes). */
static int longer_than(const char *s, size_t max) {
  size_t n = s ? strlen(s) : 0;
  return n > max && aev__utf8_chars(s, n) > max;
}

int aev__machine_check_reason(const char *error, const char *cause) {
  static const char rule[] = "Value at '%s' failed to satisfy constraint: Member must have length less "
                             "than or equal to %d";
  char first[160], second[160];
  int bad_error = longer_than(error, 256), bad_cause = longer_than(cause, 32768);
  if (!bad_error && !bad_cause) return AEV_OK;
  snprintf(first, sizeof first, rule, bad_error ? "error" : "cause", bad_error ? 256 : 32768);
  if (!(bad_error && bad_cause))
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "1 validation error detected: %s", first);
  snprintf(second, sizeof second, rule, "cause", 32768);
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "2 validation errors detected: %s; %s", first,
                   second);
}

/* ---- machines ---- */

static void machine_destroy(aev__resource *r) {
  aev_machine *m = (aev_machine *)r;
  aev__def_unref(m->def);
  aev__rev_unref(m->rev);
  json_decref(m->tags);
  free(m->execs);
  aev__index_clear(&m->by_name);
  aev__machine_versions_free(m);
  aev__machine_aliases_free(m);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

/* The labelled machines of m's Map Runs ("<m>/<label>"), deleted with it. */
static void remove_map_machines(aev_machine *m) {
  char prefix[300];
  snprintf(prefix, sizeof prefix, "%s/", m->res.name);
  aev__resource **list = NULL;
  size_t n = 0;
  if (aev__registry_list(m->res.broker, AEV__KIND_MAP_MACHINE, prefix, &list, &n)) return;
  /* only a direct label: a nested run's machine is its own parent's */
  for (size_t i = 0; i < n; i++)
    if (!strchr(list[i]->name + strlen(prefix), '/')) aev__registry_remove(m->res.broker, list[i]);
  aev__registry_list_free(list, n);
}

/* Deletion or broker shutdown: the machine lets go of its executions, and
 * its Map Runs' labelled machines go with it. The broker's shutdown deletes
 * it too: handles still held answer AEV_ERR_CLOSED (broker.h). */
static void machine_shutdown(aev__resource *r) {
  aev_machine *m = (aev_machine *)r;
  remove_map_machines(m);
  pthread_mutex_lock(&m->mu);
  m->res.deleted = 1;
  aev_execution **list = m->execs;
  size_t n = m->nexecs;
  m->execs = NULL;
  m->nexecs = m->capexecs = 0;
  aev__index_clear(&m->by_name);
  pthread_mutex_unlock(&m->mu);
  for (size_t i = 0; i < n; i++) aev__execution_unref(list[i]);
  free(list);
}

int aev__states_arn_check(const char *arn) {
  if (!strncmp(arn, "arn:", 4)) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: %s'", arn);
}

int aev__machine_not_found(const char *what) {
  return aev__fail(AEV_ERR_NOT_FOUND, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'",
                   what);
}

int aev__machine_gone(const aev_machine *m) {
  int rc = aev__broker_check_open(m->res.broker);
  return rc ? rc : aev__machine_not_found(m->res.arn);
}

static int type_check(int type) {
  if (type == AEV_MACHINE_STANDARD || type == AEV_MACHINE_EXPRESS) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value at 'type' failed to satisfy constraint: "
                   "Member must satisfy enum value set: [STANDARD, EXPRESS]");
}

/* The checks that need no parsing, in AWS's order: name, type, size. */
static int create_check(const char *name, int type, size_t len, const m_setup *s) {
  int rc = aev__machine_check_name(name, "Name");
  if (rc || (rc = type_check(type))) return rc;
  if (len > 1048576)
    return aev__fail(AEV_ERR_INVALID, "InvalidDefinition", "Definition size exceeds 1048576 bytes.");
  return aev__setup_check(s);
}

/* A new machine, not yet registered: its definition d (the reference is
 * taken over, even on failure), its first revision and its tags. */
static int machine_new(aev_broker *b, aev__kind kind, const char *name, const char *definition, size_t len,
                       int type, const m_setup *s, m_def *d, aev_machine **out) {
  int64_t now = aev__clock_now_ms(aev__broker_clock(b));
  json_t *config = aev__setup_config(s, NULL), *tags = NULL;
  int rc = aev__machine_tags_merge(NULL, s->tags, name, &tags);
  aev_machine *m = rc ? NULL : calloc(1, sizeof *m);
  m_rev *rev = m ? aev__rev_new(definition, len, s->role_arn ? s->role_arn : AEV__DEFAULT_ROLE_ARN, config, now)
                 : NULL;
  json_decref(config);
  if (!rev) {
    json_decref(tags);
    free(m);
    aev__def_unref(d);
    return rc ? rc : aev__nomem();
  }
  pthread_mutex_init(&m->mu, NULL);
  m->def = d;
  m->rev = rev;
  m->tags = tags;
  m->type = type;
  aev__machine_retention_init(m);
  m->created_ms = now;
  if ((rc = aev__resource_init(&m->res, b, kind, name, machine_destroy, machine_shutdown))) {
    aev__def_unref(d);
    aev__rev_unref(rev);
    json_decref(tags);
    pthread_mutex_destroy(&m->mu);
    free(m);
    return rc;
  }
  *out = m;
  return AEV_OK;
}

/* CreateStateMachine is idempotent on name, definition, type and
 * configurations; a different role or tags do not count (AWS keeps the
 * first). */
static int same_machine(aev_machine *x, const aev_machine *m) {
  pthread_mutex_lock(&x->mu);
  int same = !strcmp(x->rev->definition, m->rev->definition) && x->type == m->type &&
             json_equal(x->rev->config, m->rev->config);
  pthread_mutex_unlock(&x->mu);
  return same;
}

int aev__machine_create(aev_broker *b, const char *name, const char *definition, size_t len, int type,
                        const m_setup *s, aev_machine **out) {
  if (!b || !out || !definition)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker, a definition and an out pointer are required.");
  *out = NULL;
  m_def *d = NULL;
  aev_machine *m = NULL;
  int rc = create_check(name, type, len, s);
  if (!rc) rc = def_load(definition, len, type, &d);
  if (!rc) rc = machine_new(b, AEV__KIND_MACHINE, name, definition, len, type, s, d, &m);
  if (rc) return rc;
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, &m->res, &existing);
  if (rc == AEV_ERR_EXISTS) {
    aev_machine *x = (aev_machine *)existing;
    int same = same_machine(x, m);
    aev__resource_unref(&m->res);
    if (!same) {
      aev__resource_unref(existing);
      return aev__fail(AEV_ERR_EXISTS, "StateMachineAlreadyExists",
                       "State Machine Already Exists: '%s'", existing->arn);
    }
    *out = x;
    return AEV_OK;
  }
  if (rc) {
    aev__resource_unref(&m->res);
    return rc;
  }
  *out = m;
  return AEV_OK;
}

int aev__machine_hidden(aev_broker *b, const char *name, const char *definition, size_t len,
                        const char *role_arn, aev_machine **out) {
  m_def *d = NULL;
  m_setup s = {.role_arn = role_arn};
  /* Checked as a STANDARD machine's, which may use every integration
   * pattern; run as EXPRESS: no history, no status-change events. */
  int rc = def_load(definition, len, AEV_MACHINE_STANDARD, &d);
  return rc ? rc : machine_new(b, AEV__KIND_MACHINE, name, definition, len, AEV_MACHINE_EXPRESS, &s, d, out);
}

int aev__map_machine(aev_execution *parent, const char *label, const char *definition, size_t len, int type,
                     aev_machine **out) {
  aev_broker *b = parent->b;
  char name[256];
  snprintf(name, sizeof name, "%s/%s", parent->m->res.name, label);
  aev__resource *r = aev__registry_find(b, AEV__KIND_MAP_MACHINE, name);
  if (r) {
    /* The same label again (another execution, or a retry): its machine
     * runs this definition from now on; running children keep theirs. */
    aev_machine *m = (aev_machine *)r;
    pthread_mutex_lock(&m->mu);
    const int same = !strcmp(m->rev->definition, definition);
    m->type = type;
    pthread_mutex_unlock(&m->mu);
    const m_setup none = {0};
    int rc = same ? AEV_OK : aev__machine_update(m, definition, len, &none, NULL);
    if (rc) {
      aev_machine_release(m);
      return rc;
    }
    *out = m;
    return AEV_OK;
  }
  m_def *d = NULL;
  aev_machine *m = NULL;
  const m_setup s = {.role_arn = parent->rev->role_arn};
  int rc = def_load(definition, len, AEV_MACHINE_STANDARD, &d);
  if (!rc) rc = machine_new(b, AEV__KIND_MAP_MACHINE, name, definition, len, type, &s, d, &m);
  if (!rc && (rc = aev__registry_add(b, &m->res, NULL))) {
    aev__resource_unref(&m->res);
    /* Added meanwhile by another execution's Map Run: that one. */
    if (rc == AEV_ERR_EXISTS) return aev__map_machine(parent, label, definition, len, type, out);
  }
  if (!rc) *out = m;
  return rc;
}

int aev_machine_create_with(aev_broker *b, const char *name, const char *definition, size_t len, int type,
                            const char *role_arn, aev_machine **out) {
  const m_setup s = {.role_arn = role_arn};
  return aev__machine_create(b, name, definition, len, type, &s, out);
}

int aev_machine_create(aev_broker *b, const char *name, const char *definition, size_t len, int type,
                       aev_machine **out) {
  return aev_machine_create_with(b, name, definition, len, type, NULL, out);
}

int aev_machine_get(aev_broker *b, const char *name_or_arn, aev_machine **out) {
  if (!b || !name_or_arn || !out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker, a name and an out pointer are required.");
  aev__resource *r = aev__registry_find(b, AEV__KIND_MACHINE, name_or_arn);
  if (!r) return aev__machine_not_found(name_or_arn);
  *out = (aev_machine *)r;
  return AEV_OK;
}

void aev_machine_release(aev_machine *m) {
  if (m) aev__resource_unref(&m->res);
}

int aev_machine_delete(aev_machine *m) {
  if (!m) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  if (aev__registry_remove(m->res.broker, &m->res)) return aev__machine_gone(m);
  return AEV_OK;
}

/* Whether revision a runs the same definition text, role and
 * configurations as b. */
static int rev_same(const m_rev *a, const m_rev *b) {
  return !strcmp(a->definition, b->definition) && !strcmp(a->role_arn, b->role_arn) &&
         json_equal(a->config, b->config);
}

int aev__machine_update(aev_machine *m, const char *definition, size_t len, const m_setup *s,
                        char revision_id[AEV_UUID_LEN + 1]) {
  if (!m) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  if (!definition && !s->role_arn && !s->logging && !s->tracing && !s->encryption)
    return aev__fail(AEV_ERR_INVALID, "MissingRequiredParameter",
                     "Either the definition, the role ARN, the LoggingConfiguration, or the "
                     "TracingConfiguration must be specified");
  if (m->res.deleted) return aev__machine_gone(m);
  m_def *d = NULL;
  int rc = aev__setup_check(s);
  if (!rc && definition) rc = def_load(definition, len, m->type, &d);
  if (rc) return rc;
  int64_t now = aev__clock_now_ms(aev__broker_clock(m->res.broker));
  char id[AEV_UUID_LEN + 1];
  aev__broker_uuid(m->res.broker, id);
  pthread_mutex_lock(&m->mu);
  m_rev *old = m->rev;
  json_t *config = aev__setup_config(s, old->config);
  m_rev *rev = config ? aev__rev_new(definition ? definition : old->definition,
                                     definition ? len : strlen(old->definition),
                                     s->role_arn ? s->role_arn : old->role_arn, config, now)
                      : NULL;
  json_decref(config);
  /* An update that changes nothing keeps the current revision: AWS answers
   * its revisionId again (none for Create's), and publishing answers the
   * version already holding it (LocalStack's recorded
   * test_create_update_state_machine_same_parameters and
   * test_empty_revision_with_publish_*). */
  int same = rev && rev_same(rev, old);
  m_def *old_def = rev && d && !same ? m->def : NULL;
  if (rev && !same) {
    memcpy(rev->id, id, sizeof id);
    m->rev = rev;
    if (d) m->def = d;
  }
  if (same) memcpy(id, old->id, sizeof id);
  pthread_mutex_unlock(&m->mu);
  if (!rev) {
    aev__def_unref(d);
    return aev__nomem();
  }
  if (same) {
    aev__rev_unref(rev);
    aev__def_unref(d);
  } else {
    aev__rev_unref(old);
    aev__def_unref(old_def);
  }
  if (revision_id) memcpy(revision_id, id, sizeof id);
  return AEV_OK;
}

int aev_machine_update(aev_machine *m, const char *definition, size_t len) {
  static const m_setup keep = {0};
  if (!definition) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A definition is required.");
  return aev__machine_update(m, definition, len, &keep, NULL);
}

const char *aev_machine_name(const aev_machine *m) { return m ? m->res.name : NULL; }
const char *aev_machine_arn(const aev_machine *m) { return m ? m->res.arn : NULL; }

static char *dump(json_t *v) {
  char *t = aev__json_dumps(v, JSON_COMPACT);
  json_decref(v);
  return t;
}

static int give(json_t *v, char **out) {
  char *t = v ? dump(v) : NULL;
  if (!t) return aev__nomem();
  *out = t;
  return AEV_OK;
}

json_t *aev__rev_json(const m_rev *r) {
  json_t *v = json_deep_copy(r->config);
  if (v && (json_object_set_new(v, "definition", json_string(r->definition)) ||
            json_object_set_new(v, "roleArn", json_string(r->role_arn)) ||
            (r->id[0] && json_object_set_new(v, "revisionId", json_string(r->id))))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* v with more's members added (more is dropped); NULL when either is. */
static json_t *merged(json_t *v, json_t *more) {
  if (v && (!more || json_object_update(v, more))) {
    json_decref(v);
    v = NULL;
  }
  json_decref(more);
  return v;
}

/* A Map Run's labelled machine is described with its label (AWS: "present
 * only if the stateMachineArn specified in input is a qualified state
 * machine ARN"), and a child's machine with the Map Run that started it
 * (map_run_arn, or NULL). v NULL or released when out of memory. */
static json_t *with_label(json_t *v, const aev_machine *m, const char *map_run_arn) {
  if (!v || m->res.kind != AEV__KIND_MAP_MACHINE) return v;
  if (json_object_set_new(v, "label", json_string(strrchr(m->res.name, '/') + 1)) ||
      (map_run_arn && json_object_set_new(v, "mapRunArn", json_string(map_run_arn)))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

int aev_machine_describe(aev_machine *m, char **json) {
  if (!m || !json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  if (m->res.deleted) return aev__machine_gone(m);
  pthread_mutex_lock(&m->mu);
  json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:f}", "stateMachineArn", m->res.arn, "name", m->res.name, "status",
                        "ACTIVE", "type", m->type == AEV_MACHINE_EXPRESS ? "EXPRESS" : "STANDARD",
                        "creationDate", (double)m->created_ms / 1000.0);
  v = merged(v, aev__rev_json(m->rev));
  pthread_mutex_unlock(&m->mu);
  return give(with_label(v, m, NULL), json);
}

/* The machine as the execution e started it: DescribeStateMachineForExecution. */
int aev__execution_machine(aev_execution *e, json_t **out) {
  json_t *v = json_pack("{s:s,s:s,s:f}", "stateMachineArn", e->m->res.arn, "name", e->m->res.name,
                        "updateDate", (double)e->rev->updated_ms / 1000.0);
  *out = with_label(merged(v, aev__rev_json(e->rev)), e->m, e->map_run_arn);
  return *out ? AEV_OK : aev__nomem();
}

int aev_machine_validate(const char *definition, size_t len, int type, char **result_json) {
  if (!definition || !result_json)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "A definition is required.");
  /* As CreateStateMachine's, and aev_call's ValidateStateMachineDefinition. */
  int rc = type_check(type);
  if (rc) return rc;
  json_t *diag = NULL;
  m_def *d = aev__asl_parse(definition, len, type == AEV_MACHINE_EXPRESS, &diag);
  if (d) aev__asl_free(d);
  else if (!diag) return aev__nomem();
  json_t *v = json_pack("{s:s,s:o,s:b}", "result", diag ? "FAIL" : "OK", "diagnostics",
                        diag ? diag : json_array(), "truncated", 0);
  return give(v, result_json);
}

/* ---- executions ---- */

const char *aev__exec_status_name(int status) {
  static const char *const names[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
  return status >= 0 && status <= 4 ? names[status] : "RUNNING";
}

void aev__execution_unref(aev_execution *e) {
  if (!e || --e->refs > 0) return;
  if (e->watch) e->watch(NULL, e->watch_user); /* freed unfinished */
  aev__exec_free_runs(e);
  aev__map_runs_free(e);
  if (e->strand) aev__strand_release(e->strand);
  aev__hist_free(e->history);
  json_decref(e->context);
  aev__def_unref(e->def);
  aev__rev_unref(e->rev);
  free(e->arn);
  free(e->version_arn);
  free(e->alias_arn);
  free(e->map_run_arn);
  free(e->name);
  free(e->input);
  free(e->output);
  aev__exec_reason_free(e->error);
  aev__exec_reason_free(e->cause);
  free(e->tokens);
  free(e->open_tokens);
  pthread_cond_destroy(&e->done_cv);
  pthread_mutex_destroy(&e->mu);
  aev_machine_release(e->m);
  free(e);
}

void aev_execution_release(aev_execution *e) { aev__execution_unref(e); }

/* TimeoutSeconds of the whole machine: ExecutionTimedOut, TIMED_OUT. */
static void timeout_fired(void *arg, int cancelled) {
  aev_execution *e = arg;
  if (!cancelled && !e->finished)
    /* Its event follows from none of the states' (previousEventId 0), as
     * AWS records it (measured). */
    aev__exec_end(e, AEV_EXECUTION_TIMED_OUT, NULL, "States.Timeout", NULL, 0);
  aev__execution_unref(e);
}

static void begin(void *arg, int cancelled) {
  m_run *r = arg;
  aev_execution *e = r->e;
  if (!cancelled && !e->finished) aev__exec_status_event(e);
  if (!cancelled && !e->finished) aev__run_enter(r, e->def->top.start, json_incref(r->effective));
  aev__execution_unref(e);
}

static json_t *context_new(aev_execution *e, json_t *input) {
  char ts[32];
  aev__iso8601_format(e->start_ms, ts);
  return json_pack("{s:{s:s,s:O,s:s,s:s,s:s,s:i},s:{s:s,s:s}}", "Execution", "Id", e->arn, "Input",
                   input, "Name", e->name, "RoleArn", e->rev->role_arn,
                   "StartTime", ts, "RedriveCount", 0, "StateMachine", "Id", e->m->res.arn, "Name",
                   e->m->res.name);
}

/* TestState's default context object, as AWS's was recorded: no
 * RedriveCount, and a null RoleArn when the request gave none. */
static json_t *test_context_new(aev_execution *e, json_t *input) {
  char ts[32];
  aev__iso8601_format(e->start_ms, ts);
  const char *role = e->probe->role_arn;
  return json_pack("{s:{s:s,s:O,s:s,s:o,s:s},s:{s:s,s:s}}", "Execution", "Id", e->arn, "Input",
                   input, "Name", e->name, "RoleArn", role ? json_string(role) : json_null(),
                   "StartTime", ts, "StateMachine", "Id", e->m->res.arn, "Name", e->m->res.name);
}

static aev_execution *find_exec(aev_machine *m, const char *name) {
  return aev__index_find(&m->by_name, name);
}

/* Takes back a STANDARD execution that was listed but could not start, so
 * that its name is free again (drops the list's reference). */
static void unlist(aev_machine *m, aev_execution *e) {
  pthread_mutex_lock(&m->mu);
  size_t i = m->nexecs;
  while (i > 0 && m->execs[i - 1] != e) i--;
  if (i > 0) {
    memmove(&m->execs[i - 1], &m->execs[i], (m->nexecs - i) * sizeof *m->execs);
    m->nexecs--;
    aev__index_del(&m->by_name, e);
  }
  pthread_mutex_unlock(&m->mu);
  if (i > 0) aev__execution_unref(e);
}

/* What an execution is started as, besides its name and input: of a
 * version (0: the current revision), through an alias, under TestState's
 * probe, or as a Map Run's child of map_items items. */
typedef struct start_how {
  uint32_t version;
  const char *alias_arn;
  m_probe *probe;
  const char *map_run_arn;
  size_t map_items;
} start_how;

static int start(aev_machine *m, const start_how *how, const char *name, const char *input, size_t len,
                 aev_execution **out);

int aev_machine_start(aev_machine *m, const char *name, const char *input, size_t len,
                      aev_execution **out) {
  const start_how how = {0};
  return start(m, &how, name, input, len, out);
}

int aev__machine_start_version(aev_machine *m, uint32_t version, const char *alias_arn, const char *name,
                               const char *input, size_t len, aev_execution **out) {
  const start_how how = {.version = version, .alias_arn = alias_arn};
  return start(m, &how, name, input, len, out);
}

int aev__machine_start_probe(aev_machine *m, const char *input, size_t len, m_probe *probe,
                             aev_execution **out) {
  const start_how how = {.probe = probe};
  return start(m, &how, NULL, input, len, out);
}

int aev__machine_start_child(aev_machine *m, const char *map_run_arn, size_t items, const char *input,
                             size_t len, aev_execution **out) {
  const start_how how = {.map_run_arn = map_run_arn, .map_items = items};
  return start(m, &how, NULL, input, len, out);
}

static int start(aev_machine *m, const start_how *how, const char *name, const char *input, size_t len,
                 aev_execution **out) {
  const char *alias_arn = how->alias_arn;
  m_probe *probe = how->probe;
  if (!m || !out) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  *out = NULL;
  if (m->res.deleted) return aev__machine_gone(m);
  aev_broker *b = m->res.broker;
  int rc = aev__broker_check_open(b);
  if (rc) return rc;
  if (!input) input = "{}", len = 2;
  if (len > M_MAX_PAYLOAD)
    return aev__fail(AEV_ERR_INVALID, "InvalidExecutionInput",
                     "The input exceeds the maximum size of 262144 bytes.");
  json_error_t jerr;
  json_t *in;
  rc = aev__json_parse(input, len, JSON_DECODE_ANY, &in, &jerr);
  if (rc == AEV_ERR_INVALID) {
    /* AWS's words for the errors Jackson describes, and for no input at all
     * (LocalStack's recorded test_invalid_start_execution_input). */
    char why[512];
    int line, column;
    const char *text = jerr.text;
    if (aev__json_syntax_error(input, len, why, sizeof why, &line, &column))
      text = why;
    else if (aev__json_blank(input, len))
      text = "Invalid execution input.";
    return aev__fail(AEV_ERR_INVALID, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", text);
  }
  if (rc) return rc;
  char uuid[AEV_UUID_LEN + 1];
  if (!name) {
    aev__broker_uuid(b, uuid);
    name = uuid;
  } else if ((rc = aev__machine_check_name(name, "Name"))) {
    json_decref(in);
    return rc;
  }
  m_def *def;
  m_rev *rev;
  char *version_arn;
  if ((rc = aev__version_take(m, how->version, &def, &rev, &version_arn))) {
    json_decref(in);
    return rc;
  }
  aev_execution *e = calloc(1, sizeof *e);
  if (!e) {
    aev__def_unref(def);
    aev__rev_unref(rev);
    free(version_arn);
    json_decref(in);
    return aev__nomem();
  }
  pthread_mutex_init(&e->mu, NULL);
  pthread_cond_init(&e->done_cv, NULL);
  e->refs = 1;
  e->b = b;
  e->probe = probe;
  e->def = def;
  e->rev = rev;
  e->version_arn = version_arn;
  aev__resource_ref(&m->res);
  e->m = m;
  e->type = m->type;
  e->name = strdup(name);
  e->alias_arn = alias_arn ? strdup(alias_arn) : NULL;
  e->map_run_arn = how->map_run_arn ? strdup(how->map_run_arn) : NULL;
  e->map_items = how->map_items;
  e->input = strndup(input, len);
  e->start_ms = aev__clock_now_ms(aev__broker_clock(b));
  const char *arn = m->res.arn;
  const char *tail = strstr(arn, ":stateMachine:");
  size_t n = strlen(arn) + strlen(name) + 64;
  e->arn = malloc(n);
  /* A Map Run's children are listed by their machine, EXPRESS ones too,
   * under execution: ARNs (DescribeExecution answers them: "unless a Map
   * Run dispatched them"). */
  const int listed = e->type == AEV_MACHINE_STANDARD || how->map_run_arn;
  if (e->arn && tail) {
    if (!listed) {
      char u[AEV_UUID_LEN + 1];
      aev__broker_uuid(b, u);
      snprintf(e->arn, n, "%.*s:express:%s:%s:%s", (int)(tail - arn), arn, tail + 14, name, u);
    } else {
      snprintf(e->arn, n, "%.*s:execution:%s:%s", (int)(tail - arn), arn, tail + 14, name);
    }
  }
  e->strand = aev__strand_new(aev__broker_sched(b));
  if (e->type == AEV_MACHINE_STANDARD) e->history = aev__hist_new();
  if (!e->name || !e->input || !e->arn || !e->strand || (alias_arn && !e->alias_arn) ||
      (how->map_run_arn && !e->map_run_arn) || (e->type == AEV_MACHINE_STANDARD && !e->history)) {
    json_decref(in);
    aev__execution_unref(e);
    return aev__nomem();
  }
  if (probe) { /* TestState's context object is always there: its state may read it */
    e->context = probe->context ? probe->context : test_context_new(e, in);
    probe->context = NULL;
  } else if (e->def->uses_context) {
    e->context = context_new(e, in);
  }
  m_run *root = aev__run_new(e, NULL, &e->def->top);
  if (root && probe && probe->vars) {
    json_decref(root->vars);
    root->vars = probe->vars;
    probe->vars = NULL;
  }
  /* Built before the execution is listed, so that its first event is
   * whole or StartExecution answers out of memory. */
  json_t *started = e->history ? json_pack("{s:s,s:{s:b},s:s}", "input", e->input, "inputDetails",
                                           "truncated", 0, "roleArn",
                                           e->rev->role_arn)
                               : NULL;
  if (!root || ((probe || e->def->uses_context) && !e->context) || (e->history && !started)) {
    json_decref(started);
    json_decref(in);
    aev__execution_unref(e);
    return aev__nomem();
  }
  if (listed) {
    aev__machine_prune(m);
    pthread_mutex_lock(&m->mu);
    aev_execution *x = find_exec(m, name);
    if (x) {
      int same = !strcmp(x->input, e->input) && x->status == AEV_EXECUTION_RUNNING;
      if (same) x->refs++;
      pthread_mutex_unlock(&m->mu);
      json_decref(started);
      json_decref(in);
      aev__execution_unref(e);
      if (!same)
        return aev__fail(AEV_ERR_EXISTS, "ExecutionAlreadyExists", "Execution Already Exists: '%s'",
                         x->arn);
      *out = x;
      return AEV_OK;
    }
    if (m->nexecs == m->capexecs) {
      size_t cap = m->capexecs ? m->capexecs * 2 : 8;
      aev_execution **l = realloc(m->execs, cap * sizeof *l);
      if (l) {
        m->execs = l;
        m->capexecs = cap;
      }
    }
    if (m->nexecs == m->capexecs || aev__index_add(&m->by_name, e)) {
      pthread_mutex_unlock(&m->mu);
      json_decref(started);
      json_decref(in);
      aev__execution_unref(e);
      return aev__nomem();
    }
    m->execs[m->nexecs++] = e;
    e->seq = ++m->listed;
    e->refs++;
    pthread_mutex_unlock(&m->mu);
  }
  aev__hist_add(e, "ExecutionStarted", 0, "executionStartedEventDetails", started);
  /* The first state's Entered event follows none (previousEventId 0), as
   * AWS records it (LocalStack's snapshots). */
  root->prev_event = 0;
  root->effective = in;
  /* No reference for "running": a running execution always has a posted
   * task, an armed timer or a call in flight holding one (or, waiting for a
   * task token, its machine's list), so broker shutdown frees it. */
  e->refs++; /* the begin task's */
  aev__sched *sc = aev__broker_sched(b);
  if (e->def->timeout_s) {
    aev__timer_init(&e->timeout, timeout_fired, e, e->strand);
    e->refs++;
    if ((rc = aev__timer_arm(sc, &e->timeout,
                             aev__clock_mono_ms(aev__broker_clock(b)) + e->def->timeout_s * 1000)))
      e->refs--;
  }
  if (!rc && (rc = aev__sched_post(sc, e->strand, begin, root)) && e->def->timeout_s &&
      aev__timer_cancel(sc, &e->timeout))
    e->refs--;
  if (rc) { /* not started: gone whole, its name free again */
    e->refs--;
    unlist(m, e);
    aev__execution_unref(e);
    return rc;
  }
  e->refs++;
  *out = e;
  aev__execution_unref(e); /* the creation reference; *out holds one */
  return AEV_OK;
}

/* A real clock without workers: nothing runs unless this thread drains,
 * so it drains, then sleeps until the next timer (or e's end), and again. */
static int drain_until_end(aev_execution *e) {
  aev_broker *b = e->b;
  for (;;) {
    int rc = aev_broker_drain(b);
    if (rc) return rc;
    int64_t at;
    int none = aev_broker_next_deadline(b, &at);
    pthread_mutex_lock(&e->mu);
    if (!aev__exec_closed(e) && !none) {
      int64_t delay = at - aev_broker_now_ms(b);
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts); /* done_cv's clock */
      if (delay > 0) {
        int64_t ns = ts.tv_nsec + delay % 1000 * 1000000;
        ts.tv_sec += (time_t)(delay / 1000 + ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&e->done_cv, &e->mu, &ts);
      }
    }
    int done = aev__exec_closed(e);
    pthread_mutex_unlock(&e->mu);
    if (done) return AEV_OK;
    if (none)
      return aev__fail(AEV_ERR_STATE, "InvalidExecutionState",
                       "The execution waits for something that never comes.");
  }
}

/* Runs the broker until e ends: drains and jumps the manual clock over
 * timers, or sleeps on e's condition variable on a real clock (draining
 * between timers when the broker has no workers). */
static int wait_end(aev_execution *e) {
  aev_broker *b = e->b;
  if (aev_broker_clock_mode(b) == AEV_CLOCK_REAL &&
      !aev__sched_workers(aev__broker_sched(b)))
    return drain_until_end(e);
  if (aev_broker_clock_mode(b) == AEV_CLOCK_MANUAL) {
    for (;;) {
      int rc = aev_broker_drain(b);
      if (rc) return rc;
      pthread_mutex_lock(&e->mu);
      int done = aev__exec_closed(e);
      pthread_mutex_unlock(&e->mu);
      if (done) return AEV_OK;
      int64_t at;
      if (aev_broker_next_deadline(b, &at))
        return aev__fail(AEV_ERR_STATE, "InvalidExecutionState", "The execution waits for something that never comes.");
      int64_t now = aev_broker_now_ms(b);
      if ((rc = aev_broker_advance(b, at > now ? at - now : 0))) return rc;
    }
  }
  pthread_mutex_lock(&e->mu);
  while (!aev__exec_closed(e)) pthread_cond_wait(&e->done_cv, &e->mu);
  pthread_mutex_unlock(&e->mu);
  return AEV_OK;
}

int aev_execution_wait(aev_execution *e) {
  if (!e) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  return wait_end(e);
}

int aev_execution_status(aev_execution *e) {
  if (!e) return AEV_EXECUTION_RUNNING;
  pthread_mutex_lock(&e->mu);
  int s = e->status;
  pthread_mutex_unlock(&e->mu);
  return s;
}

const char *aev_execution_arn(const aev_execution *e) { return e ? e->arn : NULL; }

int aev_execution_output(aev_execution *e, char **json) {
  if (!e || !json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  int rc = aev__broker_check_open(e->b);
  if (rc) return rc;
  pthread_mutex_lock(&e->mu);
  char *copy = e->output ? strdup(e->output) : NULL;
  int lost = e->output && !copy; /* never "no output" for want of memory */
  pthread_mutex_unlock(&e->mu);
  if (lost) return aev__nomem();
  *json = copy;
  return AEV_OK;
}

/* DescribeExecution's redrive members (AWS answers redriveCount always,
 * redriveStatusReason only when it cannot be redriven). Under e->mu; -1
 * when out of memory. */
static int redrive_members(aev_execution *e, json_t *v) {
  int lost = json_object_set_new(v, "redriveCount", json_integer(e->redrives));
  if (e->type != AEV_MACHINE_STANDARD) return lost ? -1 : 0;
  if (e->redrives)
    lost |= json_object_set_new(v, "redriveDate", json_real((double)e->redrive_ms / 1000.0));
  const char *why = aev__exec_not_redrivable(e, aev_broker_now_ms(e->b));
  const char *status = why ? "NOT_REDRIVABLE" : e->map_run_arn ? "REDRIVABLE_BY_MAP_RUN" : "REDRIVABLE";
  lost |= json_object_set_new(v, "redriveStatus", json_string(status));
  if (why) lost |= json_object_set_new(v, "redriveStatusReason", json_string(why));
  return lost ? -1 : 0;
}

/* DescribeExecution's members (sync adds billingDetails). */
/* StartSyncExecution's billingDetails, as Step Functions' pricing bills an
 * Express workflow: its duration rounded up to the next 100 ms, memory in
 * 64 MB chunks, of which in-process runs use the first (LocalStack's
 * recorded test_start_sync_execution: 100 and 64 for a Pass state). */
static json_t *billing(const aev_execution *e) {
  int64_t ms = e->stop_ms > e->start_ms ? e->stop_ms - e->start_ms : 0;
  int64_t billed = ms <= 100 ? 100 : (ms + 99) / 100 * 100;
  return json_pack("{s:I,s:i}", "billedDurationInMilliseconds", (json_int_t)billed, "billedMemoryUsedInMB", 64);
}

static json_t *describe(aev_execution *e, int sync) {
  pthread_mutex_lock(&e->mu);
  json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:f,s:s,s:{s:b}}", "executionArn", e->arn,
                        "stateMachineArn", e->m->res.arn, "name", e->name, "status",
                        aev__exec_status_name(e->status), "startDate", (double)e->start_ms / 1000.0,
                        "input", e->input, "inputDetails", "included", 1);
  /* A member that cannot be added (out of memory) fails the whole answer:
   * set_new answers -1 for a NULL object or value. */
  int lost = !v;
  if (aev__exec_closed(e))
    lost |= json_object_set_new(v, "stopDate", json_real((double)e->stop_ms / 1000.0));
  if (e->output) {
    lost |= json_object_set_new(v, "output", json_string(e->output));
    lost |= json_object_set_new(v, "outputDetails", json_pack("{s:b}", "included", 1));
  }
  /* A timed-out execution has its States.Timeout in its history alone
   * (DescribeExecution measured on AWS). */
  const int reasons = e->status != AEV_EXECUTION_TIMED_OUT;
  if (reasons && e->error) lost |= json_object_set_new(v, "error", json_string(e->error));
  if (reasons && e->cause) lost |= json_object_set_new(v, "cause", json_string(e->cause));
  if (!sync && v) lost |= redrive_members(e, v);
  if (sync) lost |= json_object_set_new(v, "billingDetails", billing(e));
  pthread_mutex_unlock(&e->mu);
  /* StartSyncExecution's answer has no stateMachineVersionArn. */
  if (!sync && e->version_arn)
    lost |= json_object_set_new(v, "stateMachineVersionArn", json_string(e->version_arn));
  if (!sync && e->alias_arn) lost |= json_object_set_new(v, "stateMachineAliasArn", json_string(e->alias_arn));
  if (e->map_run_arn) lost |= json_object_set_new(v, "mapRunArn", json_string(e->map_run_arn));
  if (lost) {
    json_decref(v);
    return NULL;
  }
  return v;
}

int aev_execution_describe(aev_execution *e, char **json) {
  if (!e || !json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  /* Its run was abandoned with the broker: no status to report. */
  int rc = aev__broker_check_open(e->b);
  if (rc) return rc;
  return give(describe(e, 0), json);
}

int aev__execution_sync_result(aev_execution *e, char **json) { return give(describe(e, 1), json); }

int aev_execution_history(aev_execution *e, char **json) {
  if (!e || !json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  int rc = aev__broker_check_open(e->b);
  if (rc) return rc;
  if (!e->history)
    return aev__fail(AEV_ERR_UNSUPPORTED, "InvalidArn",
                     "Invalid Arn: 'Resource type not valid in this context: express'");
  json_t *events = aev__hist_json(e);
  json_t *v = events ? json_pack("{s:o}", "events", events) : NULL;
  char *t = v ? aev__json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  if (!t) return aev__nomem();
  *json = t;
  return AEV_OK;
}

static void stop_task(void *arg, int cancelled) {
  aev_execution *e = arg;
  if (!cancelled) aev__exec_abort(e, e->error, e->cause);
  aev__execution_unref(e);
}

int aev_execution_stop(aev_execution *e, const char *error, const char *cause) {
  if (!e) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No execution given.");
  int rc = aev__machine_check_reason(error, cause);
  if (rc) return rc;
  /* Copied first: out of memory leaves the execution as it was. */
  char *err_copy = error ? strdup(error) : NULL, *cause_copy = cause ? strdup(cause) : NULL;
  if ((error && !err_copy) || (cause && !cause_copy)) {
    free(err_copy);
    free(cause_copy);
    return aev__nomem();
  }
  pthread_mutex_lock(&e->mu);
  if (aev__exec_closed(e) || e->stopping) {
    pthread_mutex_unlock(&e->mu);
    free(err_copy);
    free(cause_copy);
    return AEV_OK;
  }
  e->stopping = 1;
  e->error = err_copy;
  e->cause = cause_copy;
  pthread_mutex_unlock(&e->mu);
  e->refs++;
  rc = aev__sched_post(aev__broker_sched(e->b), e->strand, stop_task, e);
  if (rc) {
    /* Not stopping after all: a later StopExecution may try again. */
    e->refs--;
    pthread_mutex_lock(&e->mu);
    e->stopping = 0;
    e->error = e->cause = NULL;
    pthread_mutex_unlock(&e->mu);
    free(err_copy);
    free(cause_copy);
  }
  return rc;
}

int aev_machine_start_sync(aev_machine *m, const char *name, const char *input, size_t len,
                           char **result_json) {
  return aev__machine_start_sync_version(m, 0, NULL, name, input, len, result_json);
}

/* StartSyncExecution's start: of an EXPRESS machine only. */
static int start_sync(aev_machine *m, uint32_t version, const char *alias_arn, const char *name,
                      const char *input, size_t len, aev_execution **e) {
  if (!m) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  if (m->type != AEV_MACHINE_EXPRESS)
    return aev__fail(AEV_ERR_INVALID, "StateMachineTypeNotSupported",
                     "This operation is not supported by this type of state machine");
  return aev__machine_start_version(m, version, alias_arn, name, input, len, e);
}

int aev__machine_start_sync_watched(aev_machine *m, uint32_t version, const char *alias_arn, const char *name,
                                    const char *input, size_t len, void (*fn)(aev_execution *e, void *user),
                                    void *user) {
  aev_execution *e = NULL;
  int rc = start_sync(m, version, alias_arn, name, input, len, &e);
  if (rc) return rc;
  aev__exec_watch(e, fn, user);
  aev_execution_release(e);
  return AEV_OK;
}

int aev__machine_start_sync_version(aev_machine *m, uint32_t version, const char *alias_arn,
                                    const char *name, const char *input, size_t len, char **result_json) {
  if (!result_json) return aev__fail(AEV_ERR_INVALID, "ValidationException", "No state machine given.");
  aev_execution *e = NULL;
  int rc = start_sync(m, version, alias_arn, name, input, len, &e);
  if (!rc) rc = wait_end(e);
  if (!rc) rc = aev__execution_sync_result(e, result_json);
  aev_execution_release(e);
  return rc;
}

int aev__execution_find(aev_broker *b, const char *arn, aev_execution **out) {
  /* arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME */
  const char *p = arn ? strstr(arn, ":execution:") : NULL;
  const char *name = p ? strrchr(arn, ':') : NULL;
  /* An EXPRESS execution's ARN (arn:...:express:MACHINE:NAME:ID) names
   * nothing these actions answer: AWS's words (LocalStack's recorded
   * test_start_async_describe_history_execution). */
  if (!p && arn && strstr(arn, ":express:"))
    return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'");
  if (!p || name <= p + 10)
    return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn ? arn : "");
  char mname[256]; /* a Map Run child's machine: <machine>/<label>, nested ones more */
  snprintf(mname, sizeof mname, "%.*s", (int)(name - (p + 11)), p + 11);
  aev_machine *m;
  /* <machine>/<label>: a Map Run's child, of its labelled machine. */
  aev__resource *r =
      aev__registry_find(b, strchr(mname, '/') ? AEV__KIND_MAP_MACHINE : AEV__KIND_MACHINE, mname);
  m = (aev_machine *)r;
  aev_execution *e = NULL;
  if (m) {
    aev__machine_prune(m);
    pthread_mutex_lock(&m->mu);
    e = find_exec(m, name + 1);
    if (e) e->refs++;
    pthread_mutex_unlock(&m->mu);
    aev_machine_release(m);
  }
  if (!e)
    return aev__fail(AEV_ERR_NOT_FOUND, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn);
  *out = e;
  return AEV_OK;
}

int aev__machine_executions(aev_machine *m, aev_execution ***out, size_t *n) {
  aev__machine_prune(m);
  pthread_mutex_lock(&m->mu);
  *n = m->nexecs;
  *out = malloc((m->nexecs + 1) * sizeof **out);
  for (size_t i = 0; *out && i < m->nexecs; i++) {
    (*out)[i] = m->execs[i];
    m->execs[i]->refs++;
  }
  pthread_mutex_unlock(&m->mu);
  return *out ? AEV_OK : aev__nomem();
}

