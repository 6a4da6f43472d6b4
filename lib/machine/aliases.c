/* State machine aliases: a name routing StartExecution to one version of
 * a machine, or splitting it between two by weight (Create, Describe,
 * Update, Delete and ListStateMachineAliases; StartExecution of an alias
 * ARN), as AWS's "State machine aliases in Step Functions workflows"
 * describes them. The wording of the errors is AWS's as LocalStack's
 * recorded aliasing tests show it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/machine_int.h"

/* AWS: "You can create up to 100 aliases for each state machine." */
#define M_MAX_ALIASES 100

static void alias_free(m_alias *a) {
  if (!a) return;
  free(a->name);
  free(a->arn);
  free(a->description);
  free(a);
}

void aev__machine_aliases_free(aev_machine *m) {
  for (size_t i = 0; i < m->naliases; i++) alias_free(m->aliases[i]);
  free(m->aliases);
  m->aliases = NULL;
  m->naliases = m->capaliases = 0;
}

static int not_found(void) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFound", "Request references a resource that does not exist.");
}

/* Under m->mu: the alias named name, or NULL. */
static m_alias *alias_find(aev_machine *m, const char *name) {
  for (size_t i = 0; i < m->naliases; i++)
    if (!strcmp(m->aliases[i]->name, name)) return m->aliases[i];
  return NULL;
}

/* ---- the routing configuration ---- */

typedef struct routing {
  aev_machine *m; /* a counted reference, or NULL */
  uint32_t version[2], weight[2];
  size_t n;
} routing;

static void routing_release(routing *r) {
  if (r->m) aev_machine_release(r->m);
  r->m = NULL;
}

/* "[a, b]" of the routes' ARNs (weights when weights is set), for AWS's
 * messages that quote what they received. */
static void received(json_t *list, int weights, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "[");
  json_t *item;
  size_t i;
  json_array_foreach(list, i, item) {
    json_t *v = json_object_get(item, weights ? "weight" : "stateMachineVersionArn");
    if (at >= cap) break;
    if (weights)
      at += (size_t)snprintf(out + at, cap - at, "%s%lld", i ? ", " : "", (long long)json_integer_value(v));
    else
      at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? ", " : "", json_string_value(v));
  }
  if (at < cap) snprintf(out + at, cap - at, "]");
}

/* Java's rendering of the list, which AWS quotes when it is too long. */
static int too_many(json_t *list) {
  char value[2048];
  size_t at = (size_t)snprintf(value, sizeof value, "[");
  json_t *item;
  size_t i;
  json_array_foreach(list, i, item) {
    if (at >= sizeof value) break;
    at += (size_t)snprintf(value + at, sizeof value - at,
                           "%sRoutingConfigurationListItem(stateMachineVersionArn=%s, weight=%lld)", i ? ", " : "",
                           json_string_value(json_object_get(item, "stateMachineVersionArn")),
                           (long long)json_integer_value(json_object_get(item, "weight")));
  }
  if (at < sizeof value) snprintf(value + at, sizeof value - at, "]");
  return aev__fail_length(value, "routingConfiguration", json_array_size(list), 1, 2);
}

/* The model's constraints on one route, index i (from 1 in messages). */
static int route_shape(json_t *item, size_t i) {
  char member[80];
  json_t *arn = json_object_get(item, "stateMachineVersionArn"), *w = json_object_get(item, "weight");
  if (!json_is_object(item) || !json_is_string(arn) || !json_is_integer(w)) {
    snprintf(member, sizeof member, "routingConfiguration.%zu.member", i + 1);
    return aev__fail_validation(NULL, member, "Member must have stateMachineVersionArn and weight");
  }
  char value[32];
  snprintf(value, sizeof value, "%lld", (long long)json_integer_value(w));
  snprintf(member, sizeof member, "routingConfiguration.%zu.member.weight", i + 1);
  if (json_integer_value(w) < 0)
    return aev__fail_validation(value, member, "Member must have value greater than or equal to 0");
  if (json_integer_value(w) > 100)
    return aev__fail_validation(value, member, "Member must have value less than or equal to 100");
  snprintf(member, sizeof member, "routingConfiguration.%zu.member.stateMachineVersionArn", i + 1);
  size_t n = aev__utf8_chars(json_string_value(arn), json_string_length(arn));
  return n >= 1 && n <= 2048 ? AEV_OK : aev__fail_length(json_string_value(arn), member, n, 1, 2048);
}

/* Parses and checks routingConfiguration (the model's constraints, then
 * AWS's rules in the order its answers show them): r->m holds the machine
 * of its versions. */
static int routing_parse(aev_broker *b, json_t *list, routing *r) {
  memset(r, 0, sizeof *r);
  if (!json_is_array(list)) return aev__fail_validation(NULL, "routingConfiguration", "Member must be a list");
  if (json_array_size(list) < 1) return aev__fail_length("[]", "routingConfiguration", 0, 1, 2);
  if (json_array_size(list) > 2) return too_many(list);
  r->n = json_array_size(list);
  for (size_t i = 0; i < r->n; i++) {
    int rc = route_shape(json_array_get(list, i), i);
    if (rc) return rc;
  }
  char text[4200];
  aev_machine *ms[2] = {NULL, NULL};
  int rc = AEV_OK;
  for (size_t i = 0; i < r->n && !rc; i++) {
    const char *arn = json_string_value(json_object_get(json_array_get(list, i), "stateMachineVersionArn"));
    rc = aev__states_arn_check(arn);
    if (!rc && (aev__machine_target(b, arn, &ms[i], &r->version[i], NULL) || !r->version[i])) {
      if (!strcmp(aev_errcode(), "StateMachineDoesNotExist")) {
        rc = not_found();
      } else {
        received(list, 0, text, sizeof text);
        rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "Routing configuration must contain state machine version ARNs. Received: %s", text);
      }
    }
    r->weight[i] = (uint32_t)json_integer_value(json_object_get(json_array_get(list, i), "weight"));
  }
  if (!rc && r->n == 2 && ms[0] == ms[1] && r->version[0] == r->version[1]) {
    received(list, 0, text, sizeof text);
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Routing configuration must contain distinct state machine version ARNs. Received: %s", text);
  }
  if (!rc && r->weight[0] + (r->n == 2 ? r->weight[1] : 0) != 100) {
    received(list, 1, text, sizeof text);
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Sum of routing configuration weights must equal 100. Received: %s", text);
  }
  /* AWS: "If you specify the ARN of a second version, it must belong to the
   * same state machine as the first version." */
  if (!rc && r->n == 2 && ms[0] != ms[1]) {
    received(list, 0, text, sizeof text);
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Routing configuration must contain versions of the same state machine. Received: %s", text);
  }
  for (size_t i = 0; !rc && i < r->n; i++)
    if (aev__version_check(ms[0], r->version[i])) rc = not_found();
  if (ms[1]) aev_machine_release(ms[1]);
  if (rc) {
    if (ms[0]) aev_machine_release(ms[0]);
    return rc;
  }
  r->m = ms[0];
  return AEV_OK;
}

static int same_routes(const m_alias *a, const routing *r) {
  if (a->n != r->n) return 0;
  for (size_t i = 0; i < r->n; i++)
    if (a->version[i] != r->version[i] || a->weight[i] != r->weight[i]) return 0;
  return 1;
}

static int same_text(const char *a, const char *b) { return a && b ? !strcmp(a, b) : a == b; }

static void routes_set(m_alias *a, const routing *r) {
  a->n = r->n;
  memcpy(a->version, r->version, sizeof a->version);
  memcpy(a->weight, r->weight, sizeof a->weight);
}

/* ---- the API ---- */

/* The model's constraints on an alias name: 1 to 80 characters of
 * [a-zA-Z0-9_.-], not digits alone (a qualifier of digits names a
 * version). */
static int name_check(const char *name) {
  size_t n = aev__utf8_chars(name, strlen(name));
  if (n < 1 || n > 80) return aev__fail_length(name, "name", n, 1, 80);
  int letter = 0;
  for (const char *p = name; *p; p++) {
    int digit = *p >= '0' && *p <= '9';
    int other = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || strchr("_-.", *p);
    if (!digit && !other) letter = -1;
    if (letter >= 0 && other) letter = 1;
    if (letter < 0) break;
  }
  if (letter <= 0)
    return aev__fail_validation(name, "name",
                                "Member must satisfy regular expression pattern: "
                                "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$");
  return AEV_OK;
}

static int description_check(const char *d) {
  size_t n = d ? aev__utf8_chars(d, strlen(d)) : 0;
  return n <= 256 ? AEV_OK : aev__fail_length(d, "description", n, 0, 256);
}

static json_t *created_json(const m_alias *a) {
  return json_pack("{s:s,s:f}", "stateMachineAliasArn", a->arn, "creationDate", (double)a->created_ms / 1000.0);
}

int aev__alias_create(aev_broker *b, const char *name, const char *description, json_t *list,
                      json_t **out) {
  routing r;
  int rc = description_check(description);
  if (!rc) rc = name_check(name);
  if (!rc) rc = routing_parse(b, list, &r);
  if (rc) return rc;
  aev_machine *m = r.m;
  pthread_mutex_lock(&m->mu);
  m_alias *a = alias_find(m, name);
  if (a) {
    /* Idempotent on the same name, description and routing. */
    rc = same_routes(a, &r) && same_text(a->description, description)
             ? AEV_OK
             : aev__fail(AEV_ERR_EXISTS, "ConflictException",
                         "Failed to create alias because an alias with the same name and a different "
                         "routing configuration already exists.");
  } else if (m->naliases >= M_MAX_ALIASES) {
    rc = aev__fail(AEV_ERR_LIMIT, "ServiceQuotaExceededException",
                   "A state machine can have at most %d aliases.", M_MAX_ALIASES);
  } else if (m->naliases == m->capaliases) {
    size_t cap = m->capaliases ? m->capaliases * 2 : 4;
    m_alias **l = realloc(m->aliases, cap * sizeof *l);
    if (l) {
      m->aliases = l;
      m->capaliases = cap;
    } else {
      rc = aev__nomem();
    }
  }
  if (!rc && !a) {
    a = calloc(1, sizeof *a);
    size_t n = strlen(m->res.arn) + strlen(name) + 2;
    if (a && (a->name = strdup(name)) && (a->arn = malloc(n)) &&
        (!description || (a->description = strdup(description)))) {
      snprintf(a->arn, n, "%s:%s", m->res.arn, name);
      routes_set(a, &r);
      a->created_ms = a->updated_ms = aev_broker_now_ms(b);
      m->aliases[m->naliases++] = a;
    } else {
      alias_free(a);
      a = NULL;
      rc = aev__nomem();
    }
  }
  json_t *v = rc ? NULL : created_json(a);
  pthread_mutex_unlock(&m->mu);
  routing_release(&r);
  if (!rc && !v) rc = aev__nomem();
  *out = v;
  return rc;
}

/* The machine an alias ARN names (a counted reference) and the alias's
 * name in arn: ResourceNotFound when there is no such machine. */
static int alias_machine(aev_broker *b, const char *arn, aev_machine **m, const char **name) {
  uint32_t version;
  int rc = aev__states_arn_check(arn);
  if (!rc) rc = aev__machine_target(b, arn, m, &version, name);
  if (rc) return !strcmp(aev_errcode(), "StateMachineDoesNotExist") ? not_found() : rc;
  if (!*name) {
    aev_machine_release(*m);
    return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Arn: '%s'", arn);
  }
  return AEV_OK;
}

int aev__alias_describe(aev_broker *b, const char *arn, json_t **out) {
  aev_machine *m;
  const char *name;
  int rc = alias_machine(b, arn, &m, &name);
  if (rc) return rc;
  pthread_mutex_lock(&m->mu);
  m_alias *a = alias_find(m, name);
  json_t *v = NULL, *routes = a ? json_array() : NULL;
  for (size_t i = 0; routes && a && i < a->n; i++) {
    char version[2100];
    snprintf(version, sizeof version, "%s:%u", m->res.arn, (unsigned)a->version[i]);
    if (json_array_append_new(routes, json_pack("{s:s,s:i}", "stateMachineVersionArn", version, "weight",
                                                (int)a->weight[i]))) {
      json_decref(routes);
      routes = NULL;
    }
  }
  if (routes)
    v = json_pack("{s:s,s:s,s:o,s:f,s:f}", "stateMachineAliasArn", a->arn, "name", a->name,
                  "routingConfiguration", routes, "creationDate", (double)a->created_ms / 1000.0,
                  "updateDate", (double)a->updated_ms / 1000.0);
  if (v && a->description && json_object_set_new(v, "description", json_string(a->description))) {
    json_decref(v);
    v = NULL;
  }
  pthread_mutex_unlock(&m->mu);
  aev_machine_release(m);
  if (!a) return not_found();
  *out = v;
  return v ? AEV_OK : aev__nomem();
}

int aev__alias_update(aev_broker *b, const char *arn, const char *description, json_t *list,
                      json_t **out) {
  if (!description && !list)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Either the description or the RoutingConfiguration must be specified");
  aev_machine *m;
  const char *name;
  routing r = {0};
  int rc = description_check(description);
  if (!rc) rc = alias_machine(b, arn, &m, &name);
  if (rc) return rc;
  if (list && !(rc = routing_parse(b, list, &r)) && r.m != m) {
    char text[4200];
    received(list, 0, text, sizeof text);
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Routing configuration must contain versions of the same state machine. Received: %s", text);
  }
  routing_release(&r);
  if (!rc) {
    pthread_mutex_lock(&m->mu);
    m_alias *a = alias_find(m, name);
    char *d = description ? strdup(description) : NULL;
    if (!a) rc = not_found();
    else if (description && !d) rc = aev__nomem();
    if (!rc) {
      if (description) {
        free(a->description);
        a->description = d;
        d = NULL;
      }
      if (list) routes_set(a, &r);
      a->updated_ms = aev_broker_now_ms(b);
      if (!(*out = json_pack("{s:f}", "updateDate", (double)a->updated_ms / 1000.0))) rc = aev__nomem();
    }
    free(d);
    pthread_mutex_unlock(&m->mu);
  }
  aev_machine_release(m);
  return rc;
}

/* Deleting an alias that does not exist (or no longer) succeeds, as AWS
 * answers it (recorded). */
int aev__alias_delete(aev_broker *b, const char *arn) {
  aev_machine *m;
  const char *name;
  int rc = alias_machine(b, arn, &m, &name);
  if (rc) return !strcmp(aev_errcode(), "ResourceNotFound") ? AEV_OK : rc;
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->naliases; i++)
    if (!strcmp(m->aliases[i]->name, name)) {
      alias_free(m->aliases[i]);
      memmove(m->aliases + i, m->aliases + i + 1, (m->naliases - i - 1) * sizeof *m->aliases);
      m->naliases--;
      break;
    }
  pthread_mutex_unlock(&m->mu);
  aev_machine_release(m);
  return AEV_OK;
}

static int by_name(const void *a, const void *b) {
  return strcmp((*(m_alias *const *)a)->name, (*(m_alias *const *)b)->name);
}

json_t *aev__alias_items(aev_machine *m) {
  json_t *items = json_array();
  pthread_mutex_lock(&m->mu);
  if (m->naliases > 1) qsort(m->aliases, m->naliases, sizeof *m->aliases, by_name);
  for (size_t i = 0; items && i < m->naliases; i++)
    if (json_array_append_new(items, created_json(m->aliases[i]))) {
      json_decref(items);
      items = NULL;
    }
  pthread_mutex_unlock(&m->mu);
  return items;
}

int aev__alias_route(aev_machine *m, const char *name, uint32_t *version) {
  pthread_mutex_lock(&m->mu);
  m_alias *a = alias_find(m, name);
  if (a && version) {
    /* AWS: "Step Functions randomly chooses which version runs a given
     * execution based on the percentage you specify" (here the broker's
     * seeded generator, so a run repeats; its lock is a leaf). */
    uint32_t pick = (uint32_t)(aev__broker_random(m->res.broker) % 100);
    *version = a->n == 2 && pick >= a->weight[0] ? a->version[1] : a->version[0];
  }
  pthread_mutex_unlock(&m->mu);
  return a ? AEV_OK : not_found();
}

int aev__alias_holding(aev_machine *m, uint32_t version) {
  char names[2048];
  size_t at = 0;
  for (size_t i = 0; i < m->naliases; i++) {
    const m_alias *a = m->aliases[i];
    if ((a->version[0] == version || (a->n == 2 && a->version[1] == version)) && at < sizeof names)
      at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", at ? ", " : "", a->name);
  }
  if (!at) return AEV_OK;
  return aev__fail(AEV_ERR_EXISTS, "ConflictException",
                   "Version to be deleted must not be referenced by an alias. Current list of aliases "
                   "referencing this version: [%s]",
                   names);
}
