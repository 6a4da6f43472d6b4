/* The "states" service of aev_call(): Step Functions' actions and shapes
 * (CreateStateMachine ... GetExecutionHistory), mapped onto machine.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/api_paging.h"
#include "machine/machine_int.h"

/* A JSON text the library wrote, parsed and freed (NULL: out of memory,
 * which reply() answers). */
static json_t *loads(char *text) {
  json_t *v;
  aev__json_parse_str(text, 0, &v);
  free(text);
  return v;
}

static int reply(json_t *v, json_t **resp) {
  *resp = v;
  return v ? AEV_OK : aev__nomem();
}

/* A definition within the API model's min (1, or 0 for
 * ValidateStateMachineDefinition, which AWS answers "" with a diagnostic,
 * recorded) to 1,048,576 characters. */
static int definition_length_from(const char *def, size_t len, size_t min) {
  size_t chars = aev__utf8_chars(def, len);
  return chars >= min && chars <= 1048576 ? AEV_OK : aev__fail_length(def, "definition", chars, 1, 1048576);
}

static int definition_length(const char *def, size_t len) { return definition_length_from(def, len, 1); }

static int type_of(const aev__api_service *svc, json_t *req, int *type) {
  const char *t = "STANDARD";
  int rc = aev__api_opt_string(svc, req, "type", &t);
  if (rc) return rc;
  if (strcmp(t, "STANDARD") && strcmp(t, "EXPRESS"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'type' failed to satisfy "
                     "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
                     t);
  *type = strcmp(t, "EXPRESS") ? AEV_MACHINE_STANDARD : AEV_MACHINE_EXPRESS;
  return AEV_OK;
}

static int machine_of(aev_broker *b, const aev__api_service *svc, json_t *req, aev_machine **m) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "stateMachineArn", &arn);
  if (rc == AEV_OK) rc = aev__states_arn_check(arn);
  return rc ? rc : aev_machine_get(b, arn, m);
}

static int execution_of(aev_broker *b, const aev__api_service *svc, json_t *req, aev_execution **e) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "executionArn", &arn);
  if (rc == AEV_OK) rc = aev__states_arn_check(arn);
  return rc ? rc : aev__execution_find(b, arn, e);
}

/* publish and versionDescription of CreateStateMachine and
 * UpdateStateMachine, checked before anything is stored. */
static int publish_of(const aev__api_service *svc, json_t *req, int *publish, const char **description) {
  *publish = 0;
  *description = NULL;
  int rc = aev__api_opt_bool(svc, req, "publish", publish);
  if (!rc) rc = aev__api_opt_string(svc, req, "versionDescription", description);
  if (!rc && *description && !*publish)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Version description can only be set when publish is true");
  return rc || !*description ? rc : aev__check_length(*description, "versionDescription", 0, 256);
}

/* The role and configurations a Create or Update request gives. */
static int setup_of(const aev__api_service *svc, json_t *req, m_setup *s) {
  int rc = aev__api_opt_string(svc, req, "roleArn", &s->role_arn);
  if (!rc) rc = aev__api_opt_object(svc, req, "loggingConfiguration", &s->logging);
  if (!rc) rc = aev__api_opt_object(svc, req, "tracingConfiguration", &s->tracing);
  return rc ? rc : aev__api_opt_object(svc, req, "encryptionConfiguration", &s->encryption);
}

/* Publishes m's new revision when asked, adding its stateMachineVersionArn
 * to the answer v (dropped on failure). */
static int published(aev_machine *m, int publish, const char *description, json_t **v) {
  json_t *pv = NULL;
  int rc = *v ? AEV_OK : aev__nomem();
  if (!rc && publish) rc = aev__version_publish(m, NULL, description, "versionDescription", &pv);
  if (!rc && pv &&
      json_object_set(*v, "stateMachineVersionArn", json_object_get(pv, "stateMachineVersionArn")))
    rc = aev__nomem();
  json_decref(pv);
  if (rc) {
    json_decref(*v);
    *v = NULL;
  }
  return rc;
}

static int create(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *name, *def, *role;
  size_t len;
  int type = AEV_MACHINE_STANDARD;
  m_setup s = {0};
  int rc = aev__api_req_string(svc, req, "name", &name);
  if (!rc) rc = aev__api_req_text(svc, req, "definition", &def, &len);
  if (!rc) rc = definition_length(def, len);
  if (!rc) rc = aev__api_req_string(svc, req, "roleArn", &role);
  if (!rc) rc = type_of(svc, req, &type);
  if (!rc) rc = setup_of(svc, req, &s);
  int publish;
  const char *description;
  if (!rc) rc = publish_of(svc, req, &publish, &description);
  if (!rc) rc = aev__api_opt_array(svc, req, "tags", &s.tags);
  aev_machine *m = NULL;
  if (!rc) rc = aev__machine_create(b, name, def, len, type, &s, &m);
  if (rc) return rc;
  json_t *v = json_pack("{s:s,s:f}", "stateMachineArn", aev_machine_arn(m), "creationDate",
                        (double)m->created_ms / 1000.0);
  rc = published(m, publish, description, &v);
  aev_machine_release(m);
  return rc ? rc : reply(v, resp);
}

/* The machine, and the version (0: none) a stateMachineArn names; where
 * alias_arn is given, an alias's ARN too (*alias_arn: that ARN, else
 * NULL), and route set draws the version the alias runs this time. */
static int target_of(aev_broker *b, const aev__api_service *svc, json_t *req, aev_machine **m,
                     uint32_t *version, const char **alias_arn, int route) {
  const char *arn, *alias = NULL;
  int rc = aev__api_req_string(svc, req, "stateMachineArn", &arn);
  if (rc == AEV_OK) rc = aev__states_arn_check(arn);
  if (!rc) rc = aev__machine_target(b, arn, m, version, alias_arn ? &alias : NULL);
  if (!rc && alias && (rc = aev__alias_route(*m, alias, route ? version : NULL))) aev_machine_release(*m);
  if (alias_arn) *alias_arn = alias ? arn : NULL;
  return rc;
}

/* DescribeStateMachine also answers a Map Run's labelled machine
 * (<machine>/<label>), which no other action takes. */
static int describe_machine(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  uint32_t version = 0;
  const char *arn = json_string_value(json_object_get(req, "stateMachineArn"));
  aev__resource *labelled = arn ? aev__registry_find(b, AEV__KIND_MAP_MACHINE, arn) : NULL;
  int rc = labelled ? AEV_OK : target_of(b, svc, req, &m, &version, NULL, 0);
  if (labelled) m = (aev_machine *)labelled;
  if (rc) return rc;
  char *t = NULL;
  json_t *v = NULL;
  rc = version ? aev__version_describe(m, version, &v) : aev_machine_describe(m, &t);
  aev_machine_release(m);
  return rc ? rc : reply(version ? v : loads(t), resp);
}

static int update(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  const char *def = NULL;
  size_t len = 0;
  m_setup s = {0};
  char revision[AEV_UUID_LEN + 1];
  int publish;
  const char *description;
  int rc = machine_of(b, svc, req, &m);
  if (rc) return rc;
  if (!(rc = aev__api_opt_text(svc, req, "definition", &def, &len)) &&
      !(rc = def ? definition_length(def, len) : AEV_OK) && !(rc = setup_of(svc, req, &s)) &&
      !(rc = publish_of(svc, req, &publish, &description)))
    rc = aev__machine_update(m, def, len, &s, revision);
  json_t *v = rc ? NULL : json_pack("{s:f}", "updateDate", (double)aev_broker_now_ms(b) / 1000.0);
  /* No revisionId while the machine still runs Create's revision. */
  if (v && revision[0] && json_object_set_new(v, "revisionId", json_string(revision))) {
    json_decref(v);
    v = NULL;
  }
  if (!rc) rc = published(m, publish, description, &v);
  aev_machine_release(m);
  return rc ? rc : reply(v, resp);
}

/* Whether arn names a machine itself, without a version or alias qualifier
 * (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME). */
static int unqualified(const char *arn) {
  int colons = 0;
  for (; *arn; arn++) colons += *arn == ':';
  return colons == 6;
}

/* Deleting a machine that does not exist (or no longer does) succeeds, as
 * AWS answers it (LocalStack's recorded test_delete_nonexistent_sm). */
static int delete_machine(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  int rc = machine_of(b, svc, req, &m);
  if (!rc) {
    rc = aev_machine_delete(m);
    aev_machine_release(m);
  }
  if (rc == AEV_ERR_NOT_FOUND && unqualified(json_string_value(json_object_get(req, "stateMachineArn"))))
    rc = AEV_OK;
  return rc ? rc : reply(json_object(), resp);
}

static const char *resource_name(void *items, size_t i, char *buf) {
  (void)buf;
  return ((aev__resource **)items)[i]->name;
}

/* A page of the broker's resources of kind (sorted by name) under key,
 * each as item makes it. */
static int list_resources(aev_broker *b, const aev__api_service *svc, json_t *req, aev__kind kind,
                          const char *key, json_t *(*item)(aev__resource *r), json_t **resp) {
  m_page pg;
  aev__resource **list = NULL;
  size_t n = 0, from = 0;
  int rc = aev__page_open(svc, req, key, 1024, &pg);
  if (!rc) rc = aev__registry_list(b, kind, NULL, &list, &n);
  if (!rc) from = aev__page_from(&pg, list, n, resource_name);
  json_t *arr = rc ? NULL : json_array(), *v = arr ? json_pack("{s:o}", key, arr) : NULL;
  size_t to = n - from > pg.max ? from + pg.max : n;
  int failed = !rc && !v;
  for (size_t i = from; !failed && i < to; i++) failed = json_array_append_new(arr, item(list[i]));
  if (!rc && !failed && to < n) rc = aev__page_next(&pg, v, list[to - 1]->name);
  aev__registry_list_free(list, n);
  aev__page_close(&pg);
  if (rc || failed) {
    json_decref(v);
    return rc ? rc : aev__nomem();
  }
  return reply(v, resp);
}

static json_t *machine_item(aev__resource *r) {
  aev_machine *m = (aev_machine *)r;
  return json_pack("{s:s,s:s,s:s,s:f}", "stateMachineArn", r->arn, "name", r->name, "type",
                   m->type == AEV_MACHINE_EXPRESS ? "EXPRESS" : "STANDARD", "creationDate",
                   (double)m->created_ms / 1000.0);
}

static int list_machines(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return list_resources(b, svc, req, AEV__KIND_MACHINE, "stateMachines", machine_item, resp);
}

/* The API reference: at most maxResults diagnostics (0: the default, 100),
 * truncated saying whether there were more. Every diagnostic here is an
 * ERROR, which both severities return. */
static int validate(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *def, *severity = "ERROR";
  size_t len;
  int type = AEV_MACHINE_STANDARD;
  int64_t max = 0;
  int rc = aev__api_req_text(svc, req, "definition", &def, &len);
  if (!rc) rc = definition_length_from(def, len, 0);
  if (!rc) rc = type_of(svc, req, &type);
  if (!rc) rc = aev__api_opt_int(svc, req, "maxResults", 0, 100, &max);
  if (!rc) rc = aev__api_opt_string(svc, req, "severity", &severity);
  if (!rc && strcmp(severity, "ERROR") && strcmp(severity, "WARNING"))
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%s' at 'severity' failed to satisfy "
                   "constraint: Member must satisfy enum value set: [ERROR, WARNING]",
                   severity);
  char *t = NULL;
  if (!rc) rc = aev_machine_validate(def, len, type, &t);
  if (rc) return rc;
  json_t *v = loads(t);
  json_t *diags = json_object_get(v, "diagnostics");
  const size_t keep = max ? (size_t)max : 100;
  if (json_array_size(diags) > keep) {
    while (json_array_size(diags) > keep) json_array_remove(diags, json_array_size(diags) - 1);
    if (json_object_set_new(v, "truncated", json_true())) {
      json_decref(v);
      return aev__nomem();
    }
  }
  return reply(v, resp);
}

static int start_args(const aev__api_service *svc, json_t *req, const char **name, const char **input,
                      size_t *len) {
  *name = NULL;
  *input = "{}";
  *len = 2;
  int rc = aev__api_opt_string(svc, req, "name", name);
  return rc ? rc : aev__api_opt_text(svc, req, "input", input, len);
}

static int start(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  uint32_t version;
  const char *name, *input, *alias;
  size_t len;
  int rc = target_of(b, svc, req, &m, &version, &alias, 1);
  if (rc) return rc;
  aev_execution *e = NULL;
  if (!(rc = start_args(svc, req, &name, &input, &len)))
    rc = aev__machine_start_version(m, version, alias, name, input, len, &e);
  aev_machine_release(m);
  if (rc) return rc;
  json_t *v = json_pack("{s:s,s:f}", "executionArn", e->arn, "startDate", (double)e->start_ms / 1000.0);
  aev_execution_release(e);
  return reply(v, resp);
}

/* StartSyncExecution's execution started from req: waited for (fn NULL:
 * *t its answer), or watched by fn. */
static int start_sync_with(aev_broker *b, json_t *req, char **t, void (*fn)(aev_execution *e, void *user),
                           void *user) {
  const aev__api_service *svc = &aev__api_states;
  aev_machine *m;
  uint32_t version;
  const char *name, *input, *alias;
  size_t len;
  int rc = target_of(b, svc, req, &m, &version, &alias, 1);
  if (rc) return rc;
  if (!(rc = start_args(svc, req, &name, &input, &len)))
    rc = fn ? aev__machine_start_sync_watched(m, version, alias, name, input, len, fn, user)
            : aev__machine_start_sync_version(m, version, alias, name, input, len, t);
  aev_machine_release(m);
  return rc;
}

static int start_sync(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  (void)svc;
  char *t = NULL;
  int rc = start_sync_with(b, req, &t, NULL, NULL);
  return rc ? rc : reply(loads(t), resp);
}

int aev__states_start_sync_watched(aev_broker *b, json_t *req, void (*fn)(aev_execution *e, void *user),
                                   void *user) {
  return start_sync_with(b, req, NULL, fn, user);
}

static int stop(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  const char *error = NULL, *cause = NULL;
  /* The request's lengths are checked before the execution is looked up,
   * as AWS validates a request before it acts on it. */
  int rc = aev__api_opt_string(svc, req, "error", &error);
  if (!rc) rc = aev__api_opt_string(svc, req, "cause", &cause);
  if (!rc) rc = aev__machine_check_reason(error, cause);
  if (!rc) rc = execution_of(b, svc, req, &e);
  if (rc) return rc;
  rc = aev_execution_stop(e, error, cause);
  aev_execution_release(e);
  return rc ? rc : reply(json_pack("{s:f}", "stopDate", (double)aev_broker_now_ms(b) / 1000.0), resp);
}

static int redrive(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  const char *token = NULL;
  int64_t at = 0;
  /* The request is checked before the execution is looked up. */
  int rc = aev__api_opt_string(svc, req, "clientToken", &token);
  if (!rc && token) rc = aev__redrive_token_check(token);
  if (!rc) rc = execution_of(b, svc, req, &e);
  if (rc) return rc;
  rc = aev_execution_redrive(e, token, &at);
  aev_execution_release(e);
  return rc ? rc : reply(json_pack("{s:f}", "redriveDate", (double)at / 1000.0), resp);
}

static int describe_execution(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  int rc = execution_of(b, svc, req, &e);
  char *t = NULL;
  if (!rc) {
    rc = aev_execution_describe(e, &t);
    aev_execution_release(e);
  }
  return rc ? rc : reply(loads(t), resp);
}

/* In the order AWS's message lists them. */
static const char *const status_names[] = {"SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED",
                                            "FAILED", "RUNNING", NULL};

static const char *const redrive_names[] = {"REDRIVEN", "NOT_REDRIVEN", NULL};

static json_t *execution_item(aev_execution *e, const char *status) {
  pthread_mutex_lock(&e->mu);
  int64_t stop_ms = aev__exec_closed(e) ? e->stop_ms : -1;
  const int redrives = e->redrives;
  const int64_t redrive_ms = e->redrive_ms;
  pthread_mutex_unlock(&e->mu);
  json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:f,s:i}", "executionArn", e->arn, "stateMachineArn", e->m->res.arn,
                        "name", e->name, "status", status, "startDate", (double)e->start_ms / 1000.0,
                        "redriveCount", redrives);
  if (v && ((stop_ms >= 0 && json_object_set_new(v, "stopDate", json_real((double)stop_ms / 1000.0))) ||
            (redrives && json_object_set_new(v, "redriveDate", json_real((double)redrive_ms / 1000.0))) ||
            (e->version_arn && json_object_set_new(v, "stateMachineVersionArn", json_string(e->version_arn))) ||
            (e->alias_arn && json_object_set_new(v, "stateMachineAliasArn", json_string(e->alias_arn))) ||
            (e->map_run_arn && (json_object_set_new(v, "mapRunArn", json_string(e->map_run_arn)) ||
                                json_object_set_new(v, "itemCount", json_integer((json_int_t)e->map_items)))))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* An execution's key in a listing, newest first: its seq counted down
 * from the largest, in fixed width, so keys ascend along the listing and a
 * token still places the page after its execution was dropped (retention). */
static const char *execution_key(void *items, size_t i, char *buf) {
  snprintf(buf, M_PAGE_KEY_MAX, "%020" PRIu64, UINT64_MAX - ((aev_execution **)items)[i]->seq);
  return buf;
}

/* What a listing keeps: executions started from a version, through an
 * alias, or by a Map Run (each NULL: any, or none). */
typedef struct m_source {
  const char *version_arn, *alias_arn, *map_run_arn;
} m_source;

static int same_text(const char *want, const char *have) { return !want || (have && !strcmp(want, have)); }

static int of_source(const aev_execution *e, const m_source *s) {
  return same_text(s->version_arn, e->version_arn) && same_text(s->alias_arn, e->alias_arn) &&
         same_text(s->map_run_arn, e->map_run_arn);
}

/* Whether e was redriven as redrive_filter asks (NULL: either way). */
static int of_redrives(aev_execution *e, const char *redrive_filter) {
  if (!redrive_filter) return 1;
  pthread_mutex_lock(&e->mu);
  const int redriven = e->redrives > 0;
  pthread_mutex_unlock(&e->mu);
  return redriven == !strcmp(redrive_filter, "REDRIVEN");
}

/* Keeps the executions (oldest first) that filter names (all for NULL),
 * that were redriven as redrive_filter asks, and that come from source,
 * releasing the others, and turns them newest first as AWS lists them; *n
 * becomes their number. */
static void newest_matching(aev_execution **list, size_t *n, const char *filter, const char *redrive_filter,
                            const m_source *source) {
  size_t kept = 0;
  for (size_t i = 0; i < *n; i++) {
    if ((!filter || !strcmp(filter, aev__exec_status_name(aev_execution_status(list[i])))) &&
        of_redrives(list[i], redrive_filter) && of_source(list[i], source))
      list[kept++] = list[i];
    else
      aev_execution_release(list[i]);
  }
  for (size_t i = 0; i < kept / 2; i++) {
    aev_execution *t = list[i];
    list[i] = list[kept - 1 - i];
    list[kept - 1 - i] = t;
  }
  *n = kept;
}

/* Express executions are not kept, so AWS does not list them. */
static int express_unlisted(void) {
  return aev__fail(AEV_ERR_INVALID, "StateMachineTypeNotSupported",
                   "This operation is not supported by this type of state machine");
}

static int map_run_of(aev_broker *b, const aev__api_service *svc, json_t *req, aev_execution **e,
                      m_map_run **mr) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "mapRunArn", &arn);
  if (!rc) rc = aev__check_length(arn, "mapRunArn", 1, 2000);
  if (!rc) rc = aev__states_arn_check(arn);
  return rc ? rc : aev__map_run_find(b, arn, e, mr);
}

/* ListExecutions of a mapRunArn: the Map Run's labelled machine, whose
 * executions are its children (of this run and of others with its label). */
static int machine_of_map_run(aev_broker *b, const aev__api_service *svc, json_t *req, aev_machine **m) {
  if (aev__api_has(req, "stateMachineArn"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "You can specify either a mapRunArn or a stateMachineArn, but not both.");
  aev_execution *e;
  m_map_run *mr;
  int rc = map_run_of(b, svc, req, &e, &mr);
  if (rc) return rc;
  *m = mr->machine;
  aev__resource_ref(&(*m)->res);
  aev_execution_release(e);
  return AEV_OK;
}

/* A version or alias ARN lists the executions started from it (AWS:
 * "You can also provide a state machine alias ARN or version ARN to list
 * the executions associated with a specific alias or version"). */
static int list_executions(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  uint32_t version = 0;
  const char *filter = NULL, *redrive_filter = NULL, *alias = NULL, *map_run = NULL;
  int rc = aev__api_opt_string(svc, req, "mapRunArn", &map_run);
  if (!rc) rc = map_run ? machine_of_map_run(b, svc, req, &m) : target_of(b, svc, req, &m, &version, &alias, 0);
  if (rc) return rc;
  m_page pg = {0};
  aev_execution **list = NULL;
  size_t n = 0, from = 0;
  char scope[2200], last[M_PAGE_KEY_MAX], version_arn[300];
  snprintf(version_arn, sizeof version_arn, "%s:%u", m->res.arn, (unsigned)version);
  snprintf(scope, sizeof scope, "executions %s", map_run ? map_run : alias ? alias : version ? version_arn : m->res.arn);
  if (version) rc = aev__version_check(m, version);
  if (!rc)
    rc = aev__api_opt_enum(svc, req, "statusFilter", NULL, status_names, &filter);
  if (!rc) rc = aev__api_opt_enum(svc, req, "redriveFilter", NULL, redrive_names, &redrive_filter);
  if (!rc && !(rc = aev__page_open(svc, req, scope, 3096, &pg)))
    rc = m->type == AEV_MACHINE_EXPRESS && !map_run ? express_unlisted() : aev__machine_executions(m, &list, &n);
  aev_machine_release(m);
  const m_source source = {version ? version_arn : NULL, alias, map_run};
  if (!rc) newest_matching(list, &n, filter, redrive_filter, &source);
  if (!rc) from = aev__page_from(&pg, list, n, execution_key);
  size_t to = !rc && n - from > pg.max ? from + pg.max : n;
  json_t *arr = rc ? NULL : json_array(), *v = arr ? json_pack("{s:o}", "executions", arr) : NULL;
  int failed = !rc && !v;
  for (size_t i = from; !failed && i < to; i++)
    failed = json_array_append_new(arr, execution_item(list[i], aev__exec_status_name(aev_execution_status(list[i]))));
  if (!rc && !failed && to < n) rc = aev__page_next(&pg, v, execution_key(list, to - 1, last));
  for (size_t i = 0; i < n; i++) aev_execution_release(list[i]);
  free(list);
  aev__page_close(&pg);
  if (rc || failed) {
    json_decref(v);
    return rc ? rc : aev__nomem();
  }
  return reply(v, resp);
}

/* A history page's key of the event at position i of the listing (in
 * the order asked for): events are never taken away, so positions hold. */
static const char *event_key(void *items, size_t i, char *buf) {
  (void)items;
  snprintf(buf, M_PAGE_KEY_MAX, "%020zu", i);
  return buf;
}

/* ListMapRuns: an execution's Map Runs, oldest first (never taken away, so
 * positions key the pages, as events' do). */
static int list_map_runs(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  int rc = execution_of(b, svc, req, &e);
  if (rc) return rc;
  m_page pg = {0};
  char scope[2200], last[M_PAGE_KEY_MAX];
  snprintf(scope, sizeof scope, "mapRuns %s", e->arn);
  if ((rc = aev__page_open(svc, req, scope, 1024, &pg))) {
    aev_execution_release(e);
    aev__page_close(&pg);
    return rc;
  }
  /* The page's runs, taken under the lock (the list may grow meanwhile);
   * each run lives as long as the execution. */
  pthread_mutex_lock(&e->mu);
  const size_t n = e->nmap_runs;
  const size_t from = aev__page_from(&pg, NULL, n, event_key), to = n - from > pg.max ? from + pg.max : n;
  m_map_run **page = to > from ? malloc((to - from) * sizeof *page) : NULL;
  if (page) memcpy(page, e->map_runs + from, (to - from) * sizeof *page);
  pthread_mutex_unlock(&e->mu);
  json_t *arr = json_array(), *v = arr ? json_pack("{s:o}", "mapRuns", arr) : NULL;
  int failed = !v || (to > from && !page);
  for (size_t i = from; !failed && i < to; i++)
    failed = json_array_append_new(arr, aev__map_run_item(e, page[i - from]));
  free(page);
  if (!failed && to < n) rc = aev__page_next(&pg, v, event_key(NULL, to - 1, last));
  aev_execution_release(e);
  aev__page_close(&pg);
  if (rc || failed) {
    json_decref(v);
    return rc ? rc : aev__nomem();
  }
  return reply(v, resp);
}

static int describe_map_run(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  m_map_run *mr;
  int rc = map_run_of(b, svc, req, &e, &mr);
  if (rc) return rc;
  json_t *v = aev__map_run_json(e, mr);
  aev_execution_release(e);
  return reply(v, resp);
}

/* UpdateMapRun's toleratedFailurePercentage: a number from 0 to 100. */
static int percentage_of(const aev__api_service *svc, json_t *req, const double **out, double *v) {
  json_t *p = json_object_get(req, "toleratedFailurePercentage");
  if (!p || json_is_null(p)) return AEV_OK;
  if (!json_is_number(p))
    return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                     "1 validation error detected: Value at 'toleratedFailurePercentage' failed to satisfy "
                     "constraint: Member must be a number");
  *v = json_number_value(p);
  if (*v < 0 || *v > 100) {
    char *t = aev__json_text(p);
    int rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "1 validation error detected: Value '%s' at 'toleratedFailurePercentage' failed to "
                       "satisfy constraint: Member must have value %s",
                       t ? t : "", *v < 0 ? "greater than or equal to 0" : "less than or equal to 100");
    free(t);
    return rc;
  }
  *out = v;
  return AEV_OK;
}

/* UpdateMapRun: the request is checked before the Map Run is looked up. */
static int update_map_run(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  int64_t max = -1, count = -1;
  double pct_v;
  const double *pct = NULL;
  int rc = aev__api_opt_int(svc, req, "maxConcurrency", 0, INT32_MAX, &max);
  if (!rc) rc = aev__api_opt_int(svc, req, "toleratedFailureCount", 0, INT64_MAX, &count);
  if (!rc) rc = percentage_of(svc, req, &pct, &pct_v);
  if (!rc && max < 0 && count < 0 && !pct)
    /* The API model's reason MISSING_REQUIRED_PARAMETER. */
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "At least one of maxConcurrency, toleratedFailurePercentage or "
                   "toleratedFailureCount must be specified");
  aev_execution *e;
  m_map_run *mr;
  if (!rc) rc = map_run_of(b, svc, req, &e, &mr);
  if (rc) return rc;
  rc = aev__map_run_update(e, mr, max >= 0 ? &max : NULL, pct, count >= 0 ? &count : NULL);
  aev_execution_release(e);
  return rc ? rc : reply(json_object(), resp);
}

/* includeExecutionData false: no event carries "execution data (input or
 * output of a history event)", as AWS puts it. */
static void drop_execution_data(json_t *events) {
  json_t *ev, *d;
  size_t i;
  const char *k;
  json_array_foreach(events, i, ev) {
    json_object_foreach(ev, k, d) {
      json_object_del(d, "input");
      json_object_del(d, "output");
    }
  }
}

/* GetExecutionHistory: pages of maxResults events (AWS's default 100, at
 * most 1000), oldest first or, with reverseOrder, newest first. */
static int history(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  int reverse = 0, data = 1;
  int rc = execution_of(b, svc, req, &e);
  if (rc) return rc;
  char scope[400], *t = NULL, key[M_PAGE_KEY_MAX];
  m_page pg = {0};
  rc = aev__api_opt_bool(svc, req, "reverseOrder", &reverse);
  if (!rc) rc = aev__api_opt_bool(svc, req, "includeExecutionData", &data);
  /* A token goes on with the listing it came from (AWS: "Keep all other
   * arguments unchanged"). */
  snprintf(scope, sizeof scope, "history %s %d", e->arn, reverse);
  if (!rc) rc = aev__page_open(svc, req, scope, 3096, &pg);
  if (!rc) rc = aev_execution_history(e, &t);
  aev_execution_release(e);
  json_t *all = rc ? NULL : loads(t), *events = json_object_get(all, "events");
  const size_t n = json_array_size(events);
  const size_t from = rc ? 0 : aev__page_from(&pg, NULL, n, event_key);
  const size_t to = n - from > pg.max ? from + pg.max : n;
  json_t *page = rc ? NULL : json_array(), *v = page ? json_pack("{s:o}", "events", page) : NULL;
  int failed = !rc && (!events || !v);
  for (size_t i = from; !failed && i < to; i++)
    failed = json_array_append(page, json_array_get(events, reverse ? n - 1 - i : i));
  if (!rc && !failed && !data) drop_execution_data(page);
  if (!rc && !failed && to < n) rc = aev__page_next(&pg, v, event_key(NULL, to - 1, key));
  aev__page_close(&pg);
  json_decref(all);
  if (rc || failed) {
    json_decref(v);
    return rc ? rc : aev__nomem();
  }
  return reply(v, resp);
}

static int send_success(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *token, *output;
  size_t len;
  int rc = aev__api_req_string(svc, req, "taskToken", &token);
  if (!rc) rc = aev__api_req_text(svc, req, "output", &output, &len);
  if (!rc) rc = aev_machine_send_task_success(b, token, output, len);
  return rc ? rc : reply(json_object(), resp);
}

static int send_failure(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *token, *error = NULL, *cause = NULL;
  int rc = aev__api_req_string(svc, req, "taskToken", &token);
  if (!rc) rc = aev__api_opt_string(svc, req, "error", &error);
  if (!rc) rc = aev__api_opt_string(svc, req, "cause", &cause);
  if (!rc) rc = aev_machine_send_task_failure(b, token, error, cause);
  return rc ? rc : reply(json_object(), resp);
}

static int send_heartbeat(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *token;
  int rc = aev__api_req_string(svc, req, "taskToken", &token);
  if (!rc) rc = aev_machine_send_task_heartbeat(b, token);
  return rc ? rc : reply(json_object(), resp);
}

/* ---- activities ---- */

static int activity_of(aev_broker *b, const aev__api_service *svc, json_t *req, aev_activity **a) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "activityArn", &arn);
  return rc ? rc : aev_activity_get(b, arn, a);
}

static int create_activity(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *name;
  json_t *tags = NULL, *encryption = NULL;
  aev_activity *a = NULL;
  int rc = aev__api_req_string(svc, req, "name", &name);
  if (!rc) rc = aev__api_opt_array(svc, req, "tags", &tags);
  if (!rc && tags) rc = aev__machine_tags_check(tags, NULL);
  if (!rc) rc = aev__api_opt_object(svc, req, "encryptionConfiguration", &encryption);
  if (!rc && encryption) rc = aev__encryption_check(encryption);
  if (!rc) rc = aev__activity_create(b, name, tags, encryption, &a);
  if (rc) return rc;
  json_t *v = aev__activity_json(a);
  aev_activity_release(a);
  if (v) json_object_del(v, "name");
  return reply(v, resp);
}

static int describe_activity(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_activity *a;
  int rc = activity_of(b, svc, req, &a);
  if (rc) return rc;
  char *t = NULL;
  rc = aev_activity_describe(a, &t);
  aev_activity_release(a);
  return rc ? rc : reply(loads(t), resp);
}

/* DeleteActivity succeeds for an activity that does not exist. */
static int delete_activity(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_activity *a;
  int rc = activity_of(b, svc, req, &a);
  if (rc && !strcmp(aev_errcode(), "ActivityDoesNotExist")) return reply(json_object(), resp);
  if (rc) return rc;
  rc = aev_activity_delete(a);
  aev_activity_release(a);
  return rc ? rc : reply(json_object(), resp);
}

static json_t *activity_item(aev__resource *r) { return aev__activity_json((aev_activity *)r); }

static int list_activities(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return list_resources(b, svc, req, AEV__KIND_ACTIVITY, "activities", activity_item, resp);
}

/* GetActivityTask holds the call up to 60 seconds (AWS's long poll); with
 * no task the response has neither member. */
static int get_activity_task(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_activity *a;
  const char *worker = NULL;
  int rc = activity_of(b, svc, req, &a);
  if (rc) return rc;
  char *token = NULL, *input = NULL;
  if (!(rc = aev__api_opt_string(svc, req, "workerName", &worker)))
    rc = aev_activity_get_task(a, worker, 60000, &token, &input);
  aev_activity_release(a);
  if (rc) return rc;
  json_t *v = token ? json_pack("{s:s,s:s}", "taskToken", token, "input", input) : json_object();
  free(token);
  free(input);
  return reply(v, resp);
}

/* ---- tags and the machine an execution ran ---- */

static int tag_resource(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  json_t *tags;
  int rc = aev__api_req_string(svc, req, "resourceArn", &arn);
  if (!rc) rc = aev__api_req_array(svc, req, "tags", &tags);
  if (!rc) rc = aev__machine_tag_resource(b, arn, tags);
  return rc ? rc : reply(json_object(), resp);
}

static int untag_resource(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  json_t *keys;
  int rc = aev__api_req_string(svc, req, "resourceArn", &arn);
  if (!rc) rc = aev__api_req_array(svc, req, "tagKeys", &keys);
  if (!rc) rc = aev__machine_untag_resource(b, arn, keys);
  return rc ? rc : reply(json_object(), resp);
}

static int list_tags(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  json_t *tags = NULL;
  int rc = aev__api_req_string(svc, req, "resourceArn", &arn);
  if (!rc) rc = aev__machine_list_tags(b, arn, &tags);
  return rc ? rc : reply(json_pack("{s:o}", "tags", tags), resp);
}

static int describe_for_execution(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_execution *e;
  json_t *v = NULL;
  int rc = execution_of(b, svc, req, &e);
  if (rc) return rc;
  rc = aev__execution_machine(e, &v);
  aev_execution_release(e);
  return rc ? rc : reply(v, resp);
}

/* ---- versions ---- */

static int publish_version(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  aev_machine *m;
  const char *revision = NULL, *description = NULL;
  json_t *v = NULL;
  int rc = aev__api_opt_string(svc, req, "revisionId", &revision);
  if (!rc) rc = aev__api_opt_string(svc, req, "description", &description);
  if (!rc) rc = machine_of(b, svc, req, &m);
  if (rc) return rc;
  rc = aev__version_publish(m, revision, description, "description", &v);
  aev_machine_release(m);
  return rc ? rc : reply(v, resp);
}

/* Versions are listed newest first: keys count numbers down. */
static const char *version_key(void *items, size_t i, char *buf) {
  const char *arn = json_string_value(json_object_get(json_array_get(items, i), "stateMachineVersionArn"));
  snprintf(buf, M_PAGE_KEY_MAX, "%010lu", 4294967295ul - strtoul(strrchr(arn, ':') + 1, NULL, 10));
  return buf;
}

/* A page of a machine's versions or aliases (what): items answers them
 * all in listing order, key places each in it, member names the list. */
static int list_machine_items(aev_broker *b, const aev__api_service *svc, json_t *req, const char *what,
                              json_t *(*items)(aev_machine *m), aev__page_key key, const char *member,
                              json_t **resp) {
  aev_machine *m;
  m_page pg = {0};
  char scope[320], last[M_PAGE_KEY_MAX];
  int rc = machine_of(b, svc, req, &m);
  if (rc) return rc;
  snprintf(scope, sizeof scope, "%s %s", what, m->res.arn);
  json_t *all = NULL, *page = NULL, *v = NULL;
  if (!(rc = aev__page_open(svc, req, scope, 3096, &pg)) && !(all = items(m))) rc = aev__nomem();
  aev_machine_release(m);
  size_t n = json_array_size(all), from = rc ? 0 : aev__page_from(&pg, all, n, key);
  size_t to = !rc && n - from > pg.max ? from + pg.max : n;
  if (!rc && (page = json_array()) && (v = json_pack("{s:o}", member, page))) {
    for (size_t i = from; v && i < to; i++)
      if (json_array_append(page, json_array_get(all, i))) {
        json_decref(v);
        v = NULL;
      }
    if (v && to < n) rc = aev__page_next(&pg, v, key(all, to - 1, last));
  }
  json_decref(all);
  aev__page_close(&pg);
  if (rc || !v) {
    json_decref(v);
    return rc ? rc : aev__nomem();
  }
  return reply(v, resp);
}

static int list_versions(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return list_machine_items(b, svc, req, "versions", aev__version_items, version_key, "stateMachineVersions",
                            resp);
}

/* Deleting a version that does not exist (or no longer) succeeds: AWS lists
 * neither StateMachineDoesNotExist nor ResourceNotFound for it. */
static int delete_version(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  aev_machine *m;
  uint32_t version = 0;
  int rc = aev__api_req_string(svc, req, "stateMachineVersionArn", &arn);
  if (rc) return rc;
  rc = aev__machine_target(b, arn, &m, &version, NULL);
  if (!rc && !version) aev_machine_release(m);
  if (!version && (!rc || !strcmp(aev_errcode(), "StateMachineDoesNotExist")))
    return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn);
  if (rc) return strcmp(aev_errcode(), "StateMachineDoesNotExist") ? rc : reply(json_object(), resp);
  rc = aev__version_delete(m, version);
  aev_machine_release(m);
  return rc ? rc : reply(json_object(), resp);
}

/* ---- aliases ---- */

static int create_alias(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *name, *description = NULL;
  json_t *routing = json_object_get(req, "routingConfiguration"), *v = NULL;
  int rc = aev__api_req_string(svc, req, "name", &name);
  if (!rc) rc = aev__api_opt_string(svc, req, "description", &description);
  if (!rc && !routing) rc = aev__fail_validation(NULL, "routingConfiguration", "Member must not be null");
  if (!rc) rc = aev__alias_create(b, name, description, routing, &v);
  return rc ? rc : reply(v, resp);
}

static int alias_arn_of(const aev__api_service *svc, json_t *req, const char **arn) {
  int rc = aev__api_req_string(svc, req, "stateMachineAliasArn", arn);
  return rc ? rc : aev__states_arn_check(*arn);
}

static int describe_alias(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  json_t *v = NULL;
  int rc = alias_arn_of(svc, req, &arn);
  if (!rc) rc = aev__alias_describe(b, arn, &v);
  return rc ? rc : reply(v, resp);
}

static int update_alias(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn, *description = NULL;
  json_t *v = NULL;
  int rc = alias_arn_of(svc, req, &arn);
  if (!rc) rc = aev__api_opt_string(svc, req, "description", &description);
  if (!rc) rc = aev__alias_update(b, arn, description, json_object_get(req, "routingConfiguration"), &v);
  return rc ? rc : reply(v, resp);
}

static int delete_alias(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  int rc = alias_arn_of(svc, req, &arn);
  if (!rc) rc = aev__alias_delete(b, arn);
  return rc ? rc : reply(json_object(), resp);
}

/* Aliases are listed by name, which keys them (up to 80 characters: in
 * the item's ARN, not copied). */
static const char *alias_key(void *items, size_t i, char *buf) {
  (void)buf;
  const char *arn = json_string_value(json_object_get(json_array_get(items, i), "stateMachineAliasArn"));
  return strrchr(arn, ':') + 1;
}

static int list_aliases(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return list_machine_items(b, svc, req, "aliases", aev__alias_items, alias_key, "stateMachineAliases", resp);
}

static int test_state(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  (void)svc;
  char *text = aev__json_dumps(req, JSON_COMPACT), *t = NULL;
  int rc = text ? aev_machine_test_state(b, text, &t) : aev__nomem();
  free(text);
  return rc ? rc : reply(loads(t), resp);
}

static const aev__api_action actions[] = {
    {"CreateActivity", create_activity},
    {"CreateStateMachine", create},
    {"CreateStateMachineAlias", create_alias},
    {"DeleteActivity", delete_activity},
    {"DeleteStateMachine", delete_machine},
    {"DeleteStateMachineAlias", delete_alias},
    {"DeleteStateMachineVersion", delete_version},
    {"DescribeActivity", describe_activity},
    {"DescribeExecution", describe_execution},
    {"DescribeMapRun", describe_map_run},
    {"DescribeStateMachine", describe_machine},
    {"DescribeStateMachineAlias", describe_alias},
    {"DescribeStateMachineForExecution", describe_for_execution},
    {"GetActivityTask", get_activity_task},
    {"GetExecutionHistory", history},
    {"ListActivities", list_activities},
    {"ListExecutions", list_executions},
    {"ListMapRuns", list_map_runs},
    {"ListStateMachineAliases", list_aliases},
    {"ListStateMachineVersions", list_versions},
    {"ListStateMachines", list_machines},
    {"ListTagsForResource", list_tags},
    {"PublishStateMachineVersion", publish_version},
    {"RedriveExecution", redrive},
    {"StartExecution", start},
    {"SendTaskFailure", send_failure},
    {"SendTaskHeartbeat", send_heartbeat},
    {"SendTaskSuccess", send_success},
    {"StartSyncExecution", start_sync},
    {"StopExecution", stop},
    {"TagResource", tag_resource},
    {"TestState", test_state},
    {"UntagResource", untag_resource},
    {"UpdateMapRun", update_map_run},
    {"UpdateStateMachine", update},
    {"UpdateStateMachineAlias", update_alias},
    {"ValidateStateMachineDefinition", validate},
};

/* JSON texts, which U+0000 leaves invalid JSON: they answer what other
 * invalid JSON answers (InvalidDefinition, InvalidExecutionInput,
 * InvalidOutput). */
static const char *const nul_members[] = {"definition", "input", "output", NULL};

const aev__api_service aev__api_states = {
    .name = "states",
    .alias = "stepfunctions", /* boto3.client("stepfunctions"), aws stepfunctions */
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
    .nul_members = nul_members,
};
